using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.Invites;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>
/// Moves invites whose window has passed to expired, on its own every few seconds of the injected clock.
/// Runs on every server node without a lease: each invite moves by a conditional UPDATE in the same
/// transaction as its webhook, so one node expires it and announces it once.
/// </summary>
public sealed class InviteExpiry(
    IServiceScopeFactory scopes, TimeProvider clock, WebhookOutbox outbox, IOptions<InviteOptions> options, ILogger<InviteExpiry> logger)
    : PeriodicWorker(logger)
{
    protected override TimeProvider Clock => clock;

    private const int Batch = 500;

    /// <summary>One pass, in batches until nothing is due; answers how many invites expired. Each change is audited.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        var now = clock.GetCurrentInstant();
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
            var expired = await InviteTransitions.ExpireDueAsync(db, outbox, now, Batch, ct);
            total += expired;
            if (expired < Batch) return total;
        }
    }

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.ExpirySweepSeconds);

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        await ExpireDueAsync(ct);
        return null;
    }
}

public static class InviteServices
{
    public static IServiceCollection AddPortierInvites(this IServiceCollection services)
    {
        services.AddOptions<InviteOptions>().BindConfiguration(InviteOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QrSigningOptions>().BindConfiguration(QrSigningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ChannelInboundOptions>().BindConfiguration(ChannelInboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChannelInboundSigning>();
        services.AddSingleton<Infrastructure.Secrets.ISharedKey>(sp => sp.GetRequiredService<ChannelInboundSigning>());
        services.AddSingleton<QrPassSigner>();
        services.AddSingleton<Infrastructure.Secrets.ISharedKey>(sp => sp.GetRequiredService<QrPassSigner>());
        services.AddSingleton<ChannelPusher>();
        services.AddScoped<InviteIssuer>();
        services.AddScoped<GateValidator>();
        services.AddSingleton<InviteExpiry>();
        services.AddHostedService(sp => sp.GetRequiredService<InviteExpiry>());
        return services;
    }

    public static IEndpointRouteBuilder MapInvitesModule(this IEndpointRouteBuilder app) =>
        app.MapEntryTypesApi().MapChannelsApi().MapInvitesApi().MapGateApi();
}
