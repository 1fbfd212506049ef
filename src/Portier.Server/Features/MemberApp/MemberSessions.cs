using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>A presented member token: the person's claims, or why it does not work.</summary>
public sealed record MemberAuthentication(ClaimsPrincipal? Principal, bool Locked)
{
    public static readonly MemberAuthentication Invalid = new(null, false);
}

/// <summary>
/// Member app sessions on the server: each request proves the session, enforces the site's app
/// lock (idle longer than the site allows = locked until a new one-time code is verified) and
/// records the activity the idle time is measured from.
/// </summary>
public static class MemberSessions
{
    /// <summary>Activity is written at most this often, so a busy app does not write on every request.</summary>
    public static readonly Duration TouchInterval = Duration.FromSeconds(15);

    public static async Task<MemberAuthentication> AuthenticateAsync(PortierDbContext db, Instant now, string tokenHash, string scheme, CancellationToken ct)
    {
        var session = await db.Set<MemberSession>().AsNoTracking().FirstOrDefaultAsync(s => s.TokenHash == tokenHash, ct);
        if (session is null || session.Revoked || session.ExpiresAt <= now) return MemberAuthentication.Invalid;
        var lockMinutes = await db.Set<MemberAppSettings>().Where(s => s.SiteId == session.SiteId).Select(s => s.AppLockMinutes).FirstOrDefaultAsync(ct);
        if (IsLocked(session, lockMinutes, now)) return new MemberAuthentication(null, Locked: true);
        if (now - session.LastActiveAt >= TouchInterval)
            await db.Set<MemberSession>().Where(s => s.Id == session.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastActiveAt, now), ct);

        var claims = new List<Claim>
        {
            new(PortierClaims.Person, session.PersonId.ToString()),
            new(ClaimTypes.Name, $"person:{session.PersonId}"),
            new(PortierClaims.Site, session.SiteId.ToString()),
            new(PortierClaims.SiteLimited, "true"),
        };
        var granted = await db.Set<Invites.MemberGrant>().AsNoTracking()
            .Where(p => p.PersonId == session.PersonId).Select(p => p.Permission).ToListAsync(ct);
        claims.AddRange(granted.Where(Permissions.MemberGrantable.Contains).Select(p => new Claim(PortierClaims.Permission, p)));
        return new MemberAuthentication(new ClaimsPrincipal(new ClaimsIdentity(claims, scheme)), Locked: false);
    }

    /// <summary>Idle for the site's full app-lock time or longer.</summary>
    public static bool IsLocked(MemberSession session, int? lockMinutes, Instant now) =>
        lockMinutes is { } minutes && now - session.LastActiveAt >= Duration.FromMinutes(minutes);
}
