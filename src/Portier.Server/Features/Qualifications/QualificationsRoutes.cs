namespace Portier.Server.Features.Qualifications;

public static class QualificationsRoutes
{
    public const string Group = "qualifications";
    public const string Import = "/import";
    public const string Expiring = "/expiring";
    public const string Holders = "/{id:guid}/holders";
    /// <summary>Under <c>/api/v1/people</c>: a person's qualifications, and one of them by qualification id.</summary>
    public const string PeopleGroup = "people";
    public const string OfPerson = "/{id:guid}/qualifications";
    public const string OfPersonItem = "/{id:guid}/qualifications/{qualificationId:guid}";
    /// <summary>Under <c>/api/v1/app</c>: the signed-in member's own qualifications.</summary>
    public const string Mine = "/qualifications";
}
