using System.Collections.Concurrent;
using System.Security.Claims;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Changes;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>
/// Marks the entities an admin token's claims are built from (tokens and sessions, admins, roles): a saved
/// change to one drops every cached principal.
/// </summary>
public interface IPrincipalDefinition;

/// <summary>
/// The claims of admin tokens and sessions held in memory by token hash, so an authenticated request
/// reads no table. Any committed change to a token, an admin or a role drops them all: on this node at
/// the commit (<see cref="DefinitionChangeInterceptor"/>), on the others when the change is announced
/// under <see cref="Name"/> (PostgreSQL LISTEN/NOTIFY, with the version check behind it). While this node
/// may be missing announcements (its listening connection is down) nothing is kept and every request reads
/// the database. Expiry is judged on every request against the clock; unknown and refused tokens are never kept.
/// </summary>
public sealed class PrincipalCache(IServiceProvider services) : IDefinitionCache
{
    /// <summary>Beyond this many tokens in use at once the cache starts over rather than grow without bound.</summary>
    public const int MaxEntries = 100_000;

    private volatile ConcurrentDictionary<string, TokenClaims> _entries = new(StringComparer.Ordinal);
    private NodeChanges? _node;

    public string Name => "principals";

    public Type DefinitionMarker => typeof(IPrincipalDefinition);

    public void MarkChanged() => _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    // Resolved late: the node's change tracking is built from every definition cache, this one included.
    private bool Current => (_node ??= services.GetRequiredService<NodeChanges>()).Current;

    /// <summary>
    /// The principal of the admin token or session <paramref name="presented"/>, or null when it is unknown,
    /// revoked, expired or its admin disabled. <paramref name="db"/> is asked for only when the token is not cached.
    /// </summary>
    public async ValueTask<ClaimsPrincipal?> ForTokenAsync(string presented, string scheme, Func<PortierDbContext> db, TimeProvider clock, CancellationToken ct)
    {
        var hash = TokenSecrets.Hash(presented);
        var now = clock.GetCurrentInstant();
        // A node that may have missed an announcement neither serves nor keeps a cached principal.
        var keep = Current;
        // Taken before reading: a change committed while the database is read replaces this map, so what was read lands in the old one.
        var entries = _entries;
        if (keep && entries.TryGetValue(hash, out var cached)) return cached.ExpiredAt(now) ? null : cached.ToPrincipal(scheme);
        var loaded = await TokenPrincipals.ClaimsForHashAsync(db(), now, hash, ct);
        if (loaded is null) return null;
        if (keep)
        {
            if (entries.Count >= MaxEntries) entries.Clear();
            entries.TryAdd(hash, loaded);
        }
        return loaded.ToPrincipal(scheme);
    }
}
