using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.LiveEvents;

/// <summary>
/// The live stream at <c>/hubs/events</c>. Connect with an admin API token or session (header, or
/// <c>access_token</c> in the query string for WebSockets), then call <c>Subscribe</c> per site;
/// events arrive as client methods named by their type (<c>AccessGranted</c>, <c>AccessDenied</c>, ...).
/// Every call re-reads the token, and <see cref="LiveConnectionGuard"/> closes the connection once
/// the token loses access.
/// </summary>
[Authorize(AuthenticationSchemes = TokenAuthenticationHandler.SchemeName)]
public sealed class EventsHub(LiveEventBroker broker, LiveConnectionGuard guard, PortierDbContext db) : Hub
{
    public const string Path = "/hubs/events";

    public override Task OnConnectedAsync()
    {
        if (!guard.Connected(Context)) Context.Abort();
        return Task.CompletedTask;
    }

    public async Task<SubscribeResult> Subscribe(SubscribeRequest request)
    {
        var user = await guard.CurrentPrincipalAsync(Context, db, Context.ConnectionAborted);
        if (user is null)
        {
            Context.Abort();
            throw new HubException("unauthorized: the token was revoked, expired or its admin disabled.");
        }
        if (!CurrentUser.HasPermission(user, Permissions.EventsSubscribe))
            throw new HubException($"forbidden: subscribing needs the {Permissions.EventsSubscribe} permission.");
        var limited = user.HasClaim(PortierClaims.SiteLimited, "true");
        if ((limited && !user.HasClaim(PortierClaims.Site, request.SiteId.ToString()))
            || await db.FindAsync<Sites.Site>(request.SiteId) is null)
            throw new HubException("not_found: no such site.");
        if ((request.DoorIds?.Count ?? 0) > 1000 || (request.ZoneIds?.Count ?? 0) > 1000)
            throw new HubException("validation_failed: at most 1000 doors and 1000 zones.");
        return await broker.SubscribeAsync(Context, request);
    }

    public void Unsubscribe(Guid siteId) => broker.Unsubscribe(Context.ConnectionId, siteId);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        guard.Disconnected(Context.ConnectionId);
        broker.Disconnected(Context.ConnectionId);
        return Task.CompletedTask;
    }
}
