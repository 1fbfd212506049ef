namespace Portier.Server.Features.Auth;

public static class AuthorizationExtensions
{
    /// <summary>Requires an authenticated caller holding <paramref name="permission"/> (or full access).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy
            .AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => CurrentUser.HasPermission(context.User, permission)));

    /// <summary>Requires a member app session (a signed-in person).</summary>
    public static TBuilder RequireMember<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy
            .AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName)
            .RequireClaim(PortierClaims.Person));
}
