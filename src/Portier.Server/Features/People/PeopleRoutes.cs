namespace Portier.Server.Features.People;

public static class PeopleRoutes
{
    public const string Group = "people";
    public const string Vocabulary = "/vocabulary";
    public const string Access = "/{id:guid}/access";
    public const string CustomTags = "/{id:guid}/custom-tags";
    public const string Sync = "/sync";
    public const string Import = "/import";
}
