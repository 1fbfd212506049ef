using System.Collections.Concurrent;
using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Redis;
using StackExchange.Redis;

namespace Portier.Server.Features.LiveEvents;

/// <summary>
/// Keeps the live stream to those who still have access. Every hub connection is remembered with
/// the token it was opened with and what that token could do then; the guard re-reads each token
/// at once when access is revoked (on any node when Redis is configured, which carries the news)
/// and every few seconds otherwise, and closes the connections whose token was revoked or expired, whose admin was disabled, or which lost a
/// permission or a site since they connected (a client that still may connect simply reconnects).
/// </summary>
public sealed partial class LiveConnectionGuard : BackgroundService
{
    private sealed record Tracked(HubCallerContext Connection, Guid TokenId, HashSet<string> Permissions, HashSet<string>? Sites);

    private readonly ConcurrentDictionary<string, Tracked> _connections = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly IOptions<LiveEventOptions> _options;
    private readonly ILogger<LiveConnectionGuard> _logger;
    private readonly SharedRedis _redis;

    public LiveConnectionGuard(IServiceScopeFactory scopes, TimeProvider clock, IOptions<LiveEventOptions> options,
        AccessRevocations revocations, SharedRedis redis, ILogger<LiveConnectionGuard> logger)
    {
        (_scopes, _clock, _options, _redis, _logger) = (scopes, clock, options, redis, logger);
        revocations.Changed += () =>
        {
            _wake.Writer.TryWrite(true);
            if (_redis.Enabled) TellOtherNodes();
        };
    }

    private RedisChannel RevocationsChannel => _redis.Channel("revocations");

    /// <summary>Wakes the guards of the other nodes; should Redis be away, their periodic check still comes.</summary>
    private void TellOtherNodes() =>
        _redis.Connection.GetSubscriber().PublishAsync(RevocationsChannel, "changed", CommandFlags.FireAndForget);

    private async Task HearOtherNodesAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _redis.Connection.GetSubscriber().SubscribeAsync(RevocationsChannel, (_, _) => _wake.Writer.TryWrite(true));
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRecheckFailed(_logger, e);
                await Task.Delay(TimeSpan.FromSeconds(_options.Value.RecheckSeconds), _clock, stoppingToken);
            }
        }
    }

    public int ConnectionCount => _connections.Count;

    /// <summary>Remembers a new connection; false when it carries no admin token (it is then refused).</summary>
    public bool Connected(HubCallerContext connection)
    {
        if (connection.User is not { } user || !Guid.TryParse(user.FindFirstValue(PortierClaims.TokenId), out var tokenId)) return false;
        _connections[connection.ConnectionId] = new Tracked(connection, tokenId, PermissionsOf(user), SitesOf(user));
        return true;
    }

    public void Disconnected(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>The connection's claims as they stand now, or null when its token no longer works.</summary>
    public async Task<ClaimsPrincipal?> CurrentPrincipalAsync(HubCallerContext connection, PortierDbContext db, CancellationToken ct) =>
        _connections.TryGetValue(connection.ConnectionId, out var tracked)
            ? await TokenPrincipals.ForTokenIdAsync(db, _clock.GetCurrentInstant(), tracked.TokenId, TokenAuthenticationHandler.SchemeName, ct)
            : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_redis.Enabled) _ = HearOtherNodesAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var woken = _wake.Reader.WaitToReadAsync(waiting.Token).AsTask();
                var elapsed = Task.Delay(TimeSpan.FromSeconds(_options.Value.RecheckSeconds), _clock, waiting.Token);
                await Task.WhenAny(woken, elapsed);
                await waiting.CancelAsync();
            }
            if (stoppingToken.IsCancellationRequested) return;
            _wake.Reader.TryRead(out _);
            try
            {
                await RecheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRecheckFailed(_logger, e);
            }
        }
    }

    /// <summary>Re-reads every connected token once and closes the connections that lost access.</summary>
    public async Task RecheckAsync(CancellationToken ct)
    {
        if (_connections.IsEmpty) return;
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var now = _clock.GetCurrentInstant();
        foreach (var group in _connections.Values.GroupBy(t => t.TokenId))
        {
            var principal = await TokenPrincipals.ForTokenIdAsync(db, now, group.Key, TokenAuthenticationHandler.SchemeName, ct);
            var permissions = principal is null ? null : PermissionsOf(principal);
            var sites = principal is null ? null : SitesOf(principal);
            foreach (var tracked in group)
            {
                if (principal is not null && tracked.Permissions.IsSubsetOf(permissions!) && (sites is null || (tracked.Sites?.IsSubsetOf(sites) ?? false)))
                    continue;
                LogClosed(_logger, tracked.Connection.ConnectionId, tracked.TokenId);
                _connections.TryRemove(tracked.Connection.ConnectionId, out _);
                tracked.Connection.Abort();
            }
        }
    }

    private static HashSet<string> PermissionsOf(ClaimsPrincipal user) =>
        user.FindAll(PortierClaims.Permission).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Null when every site is visible.</summary>
    private static HashSet<string>? SitesOf(ClaimsPrincipal user) =>
        user.HasClaim(PortierClaims.SiteLimited, "true") ? user.FindAll(PortierClaims.Site).Select(c => c.Value).ToHashSet(StringComparer.Ordinal) : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed live connection {ConnectionId}: token {TokenId} lost access")]
    private static partial void LogClosed(ILogger logger, string connectionId, Guid tokenId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-checking the live connections failed; the next check tries again")]
    private static partial void LogRecheckFailed(ILogger logger, Exception exception);
}
