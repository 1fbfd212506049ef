using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;

namespace Portier.Server.Features.LiveEvents;

public static class LiveEventsExtensions
{
    public static IServiceCollection AddLiveEvents(this IServiceCollection services)
    {
        services.AddOptions<LiveEventOptions>().BindConfiguration(LiveEventOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSignalR().AddJsonProtocol(o => HttpExtensions.ConfigureJson(o.PayloadSerializerOptions));
        services.AddLiveEventsBackplane();
        services.AddSingleton<LiveEventRelay>();
        services.AddHostedService<LiveEventRelayListener>();
        services.AddSingleton<LiveEventBroker>();
        services.AddSingleton<LiveConnectionGuard>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveConnectionGuard>());
        services.AddSingleton<ILiveEventPublisher>(sp => sp.GetRequiredService<LiveEventBroker>());
        services.AddSingleton<ILiveEventFeed>(sp => sp.GetRequiredService<LiveEventBroker>());
        services.AddSingleton<IAccessEventSink, AccessEventLiveSink>();
        // Registered before the alarms feature, whose logging-only default then stands aside.
        services.AddSingleton<IDoorEventPublisher, LiveDoorEventPublisher>();
        return services;
    }

    /// <summary>
    /// With Redis, the hub's connections, groups and users span the nodes through the SignalR Redis backplane
    /// (on the installation's prefix), so a message the server sends to a connection reaches it on whichever
    /// node holds it. The numbered stream itself crosses nodes through <see cref="LiveEventRelay"/>.
    /// </summary>
    private static void AddLiveEventsBackplane(this IServiceCollection services)
    {
        services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>().Configure<SharedRedis>((o, redis) =>
        {
            if (!redis.Enabled) return;
            o.Configuration.ChannelPrefix = redis.Channel("signalr");
            o.ConnectionFactory = _ => Task.FromResult(redis.Connection);
        });
        services.AddSingleton<HubLifetimeManager<EventsHub>>(sp => sp.GetRequiredService<SharedRedis>().Enabled
            ? ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<EventsHub>>(sp)
            : ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<EventsHub>>(sp));
    }

    public static IEndpointRouteBuilder MapLiveEvents(this IEndpointRouteBuilder app)
    {
        // Only admin tokens and sessions (they carry a token id the guard can re-check); member app sessions have no use for the stream.
        app.MapHub<EventsHub>(EventsHub.Path)
            .RequireAuthorization(policy => policy.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireClaim(PortierClaims.TokenId))
            .Add(endpoint => endpoint.RefuseForeignOrigins());
        return app;
    }
}

/// <summary>Puts every committed access event on its site's live stream.</summary>
internal sealed class AccessEventLiveSink(ILiveEventPublisher live) : IAccessEventSink
{
    public ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct) => ValueTask.CompletedTask;

    public void AfterCommit(IReadOnlyList<AccessEvent> events)
    {
        foreach (var e in events)
        {
            var type = e.OutcomeOf is not null ? LiveEventTypes.AccessOutcome : e.Allowed ? LiveEventTypes.AccessGranted : LiveEventTypes.AccessDenied;
            live.Publish(type, e.SiteId, e.At, AccessEventResponse.From(e, null), e.DoorId, e.ZoneId);
        }
    }
}
