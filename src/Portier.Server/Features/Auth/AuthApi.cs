using Portier.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapApiGroup("auth", "Auth");
        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthExtensions.LoginRateLimit);
        auth.MapGet("/me", Me).RequireAuthorization();
        auth.MapGet("/permissions", () => Permissions.All.Order(StringComparer.Ordinal)).RequireAuthorization();

        var tokens = app.MapApiGroup("tokens", "Auth");
        tokens.MapGet("/", ListTokens).RequirePermission(Permissions.AdminsRead);
        tokens.MapPost("/", CreateToken).RequirePermission(Permissions.AdminsWrite);
        tokens.MapDelete("/{id:guid}", RevokeToken).RequirePermission(Permissions.AdminsWrite);
        return app;
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Login(
        LoginRequest request, AdminSignIn signIn, HttpContext http, CancellationToken ct) =>
        await signIn.StartSessionAsync(request, ct) switch
        {
            { Session: { } session } => TypedResults.Ok(session),
            { RetryAfter: { } wait } => SignInLockout.Locked(http, wait),
            { SsoOnly: true } => Problems.Make(StatusCodes.Status403Forbidden, "sso_only", "This admin signs in with single sign-on only."),
            _ => Problems.Make(StatusCodes.Status401Unauthorized, "invalid_credentials", "The email or password is wrong."),
        };

    private static MeResponse Me(HttpContext http, CurrentUser user) => new(
        user.AdminId ?? Guid.Empty,
        user.Actor,
        http.User.FindAll(PortierClaims.Permission).Select(c => c.Value).ToList(),
        user.VisibleSites);

    private static async Task<Paged<TokenResponse>> ListTokens(PortierDbContext db, CurrentUser user, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<ApiToken>().AsNoTracking().Where(t => t.Kind == TokenKind.Api);
        if (!user.Has(Permissions.FullAccess)) query = query.Where(t => t.AdminId == user.AdminId);
        return await new PageRequest(page, pageSize).ApplyAsync(query.OrderBy(t => t.CreatedAt), TokenResponse.From, ct);
    }

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> CreateToken(
        TokenRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var permissions = (request.Permissions ?? []).Distinct(StringComparer.Ordinal).ToList();
        var missing = permissions.FirstOrDefault(p => !user.Has(p));
        if (missing is not null)
            return Problems.Make(StatusCodes.Status403Forbidden, "permission_not_held", $"You cannot hand out '{missing}', which you do not hold.");
        var sites = (request.SiteIds ?? []).Distinct().ToList();
        if (sites.Any(s => !user.CanSee(s)) || (sites.Count == 0 && user.VisibleSites is not null))
            return Problems.Make(StatusCodes.Status403Forbidden, "site_not_held", "A token can only cover sites you can see.");

        var now = clock.GetCurrentInstant();
        var expires = request.ExpiresAt is { } at ? Instant.FromDateTimeOffset(at) : (Instant?)null;
        if (expires <= now) return Problems.BadRequest("expiry_in_past", "The expiry must be in the future.", "expiresAt");
        var clear = TokenSecrets.NewToken();
        var token = new ApiToken
        {
            Name = request.Name.Trim(),
            TokenHash = TokenSecrets.Hash(clear),
            Prefix = TokenSecrets.DisplayPrefix(clear),
            Kind = TokenKind.Api,
            AdminId = user.AdminId!.Value,
            Permissions = permissions,
            SiteIds = sites,
            CreatedAt = now,
            ExpiresAt = expires,
        };
        db.Add(token);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/tokens/{token.Id}", new CreatedTokenResponse(clear, TokenResponse.From(token)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeToken(
        Guid id, PortierDbContext db, CurrentUser user, AccessRevocations revocations, CancellationToken ct)
    {
        var token = await db.Set<ApiToken>().FirstOrDefaultAsync(t => t.Id == id && t.Kind == TokenKind.Api, ct);
        if (token is null || (!user.Has(Permissions.FullAccess) && token.AdminId != user.AdminId)) return Problems.NotFound("Token");
        token.Revoked = true;
        await db.SaveChangesAsync(ct);
        revocations.Announce();
        return TypedResults.NoContent();
    }
}
