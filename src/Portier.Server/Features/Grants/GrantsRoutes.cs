namespace Portier.Server.Features.Grants;

public static class GrantsRoutes
{
    public const string Group = "grants";
    /// <summary>A person's grants, under the people group.</summary>
    public const string ForPerson = "/{id:guid}/grants";
}
