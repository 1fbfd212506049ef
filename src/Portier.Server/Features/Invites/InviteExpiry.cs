using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portier.Core.Invites;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>Moves invites whose window has passed to expired, on its own every few seconds of the injected clock.</summary>
public sealed partial class InviteExpiry(
    IServiceScopeFactory scopes, TimeProvider clock, WebhookOutbox outbox, IOptions<InviteOptions> options, ILogger<InviteExpiry> logger)
    : BackgroundService
{
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
            var due = await db.Set<Invite>()
                .Where(i => (i.Status == InviteStatus.Draft || i.Status == InviteStatus.Pending || i.Status == InviteStatus.Accepted) && i.ValidUntil <= now)
                .OrderBy(i => i.ValidUntil).ThenBy(i => i.Id).Take(Batch).ToListAsync(ct);
            foreach (var invite in due) invite.MoveTo(InviteStatus.Expired, now);
            await outbox.AddAsync(db, [.. due.Select(i => InviteWebhooks.Moved(i, now)!)], ct);
            await db.SaveChangesAsync(ct);
            total += due.Count;
            if (due.Count < Batch) return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.ExpirySweepSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ExpireDueAsync(stoppingToken);
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSweepFailed(logger, e);
                await Task.Delay(interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Invite expiry pass failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

public static class InviteServices
{
    public static IServiceCollection AddPortierInvites(this IServiceCollection services)
    {
        services.AddOptions<InviteOptions>().BindConfiguration(InviteOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QrSigningOptions>().BindConfiguration(QrSigningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ChannelInboundOptions>().BindConfiguration(ChannelInboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChannelInboundSigning>();
        services.AddSingleton<QrPassSigner>();
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
