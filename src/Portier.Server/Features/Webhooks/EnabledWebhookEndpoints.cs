using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>An enabled endpoint as the outbox needs it: which events of which site it receives.</summary>
public sealed record EnabledWebhookEndpoint(Guid Id, Guid? SiteId, IReadOnlyList<string> EventTypes)
{
    public bool Receives(WebhookEvent evt) =>
        (SiteId is null || SiteId == evt.SiteId) && WebhookEventTypes.Matches(EventTypes, evt.Type);
}

/// <summary>
/// The enabled webhook endpoints, read once per change to an endpoint instead of in every group commit of
/// the access log. A saved endpoint marks them stale (<see cref="DefinitionChangeInterceptor"/>, and on
/// other nodes its announcement) and the next reader rebuilds them.
/// </summary>
public sealed class EnabledWebhookEndpoints : IDefinitionCache, IDisposable
{
    private readonly RebuiltOnChange<IReadOnlyList<EnabledWebhookEndpoint>> _endpoints;

    public EnabledWebhookEndpoints(IServiceScopeFactory scopes) =>
        _endpoints = new(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<WebhookEndpoint>().AsNoTracking()
                .Where(e => e.Enabled).Select(e => new EnabledWebhookEndpoint(e.Id, e.SiteId, e.EventTypes)).ToListAsync(ct);
        });

    public string Name => "webhook-endpoints";

    public Type DefinitionMarker => typeof(WebhookEndpoint);

    public void MarkChanged() => _endpoints.MarkChanged();

    public ValueTask<IReadOnlyList<EnabledWebhookEndpoint>> GetAsync(CancellationToken ct) => _endpoints.GetAsync(ct);

    public void Dispose() => _endpoints.Dispose();
}
