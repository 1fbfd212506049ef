namespace Portier.Server.Features.Credentials;

public static class CredentialsRoutes
{
    public const string Group = "credentials";
    public const string Revoke = "/{id:guid}/revoke";
    /// <summary>A person's credentials, under the people group.</summary>
    public const string ForPerson = "/{id:guid}/credentials";
}
