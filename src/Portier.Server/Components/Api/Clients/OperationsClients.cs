using System.Text.Json;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.DoorStates;
using Portier.Server.Features.Providers;
using Portier.Server.Features.Reports;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class DecisionsClient(ConsoleApi api)
{
    /// <summary>Runs the decision without opening anything and lists every check.</summary>
    public Task<ApiResult<ExplainResponse>> ExplainAsync(ExplainRequest request) =>
        api.PostAsync<ExplainResponse>(Route.To(DecisionsRoutes.Group, DecisionsRoutes.Explain), request);
}

public sealed class AlarmsClient(ConsoleApi api)
{
    /// <summary>A site's alarms; only the unacknowledged or only the standing ones when asked.</summary>
    public Task<ApiResult<Paged<AlarmResponse>>> ListAsync(Guid? siteId, bool? unacknowledged = null, bool? standing = null) =>
        api.GetAsync<Paged<AlarmResponse>>(Route.To(AlarmsRoutes.Group),
            new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize).Add("unacknowledged", unacknowledged).Add("standing", standing));

    public Task<ApiResult<AlarmResponse>> AcknowledgeAsync(Guid id) => api.PostAsync<AlarmResponse>(Route.To(AlarmsRoutes.Group, AlarmsRoutes.Acknowledge, id), null);
}

/// <summary>Doors' live states; the live stream says when to read them again.</summary>
public sealed class DoorStatesClient(ConsoleApi api)
{
    public Task<ApiResult<List<DoorStateResponse>>> ListAsync(Guid siteId, Guid? doorId = null) =>
        api.GetAsync<List<DoorStateResponse>>(Route.To(DoorStatesRoutes.Group), new Query().Add("siteId", siteId).Add("doorId", doorId));
}

public sealed class AuditClient(ConsoleApi api)
{
    /// <summary>The audit trail of one entity, newest first.</summary>
    public Task<ApiResult<Paged<AuditEntryResponse>>> ForEntityAsync(string entityType, Guid entityId) =>
        api.GetAsync<Paged<AuditEntryResponse>>(Route.To(AuditRoutes.Group), new Query().Add("entityType", entityType).Add("entityId", entityId).Add("pageSize", 100));
}

public sealed class ReportsClient(ConsoleApi api)
{
    public Task<ApiResult<AccessSummaryReport>> AccessSummaryAsync(Guid? siteId, DateTimeOffset from, DateTimeOffset to) =>
        api.GetAsync<AccessSummaryReport>(Route.To(ReportsRoutes.Group, ReportsRoutes.AccessSummary), new Query().Add("siteId", siteId).Add("from", from).Add("to", to));

    public Task<ApiResult<TopDeniedReport>> TopDeniedAsync(Guid? siteId, int limit, DateTimeOffset from, DateTimeOffset to) =>
        api.GetAsync<TopDeniedReport>(Route.To(ReportsRoutes.Group, ReportsRoutes.TopDenied), new Query().Add("siteId", siteId).Add("limit", limit).Add("from", from).Add("to", to));

    public Task<ApiResult<OccupancyReport>> OccupancyAsync(Guid zoneId, BucketSize bucket, DateTimeOffset from, DateTimeOffset to) =>
        api.GetAsync<OccupancyReport>(Route.To(ReportsRoutes.Group, ReportsRoutes.Occupancy), new Query().Add("zoneId", zoneId).Add("bucket", bucket).Add("from", from).Add("to", to));
}

public sealed class AdminsClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<AdminResponse>>> ListAsync() =>
        api.GetAsync<Paged<AdminResponse>>(Route.To(AdminsRoutes.Admins), new Query().Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<AdminResponse>> CreateAsync(AdminRequest request) => api.PostAsync<AdminResponse>(Route.To(AdminsRoutes.Admins), request);

    public Task<ApiResult<AdminResponse>> UpdateAsync(Guid id, AdminRequest request) => api.PutAsync<AdminResponse>(Route.To(AdminsRoutes.Admins, ApiRoutes.Item, id), request);

    public Task<ApiResult<Paged<RoleResponse>>> RolesAsync() =>
        api.GetAsync<Paged<RoleResponse>>(Route.To(AdminsRoutes.Roles), new Query().Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<RoleResponse>> CreateRoleAsync(RoleRequest request) => api.PostAsync<RoleResponse>(Route.To(AdminsRoutes.Roles), request);

    public Task<ApiResult<RoleResponse>> UpdateRoleAsync(Guid id, RoleRequest request) => api.PutAsync<RoleResponse>(Route.To(AdminsRoutes.Roles, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteRoleAsync(Guid id) => api.DeleteAsync(Route.To(AdminsRoutes.Roles, ApiRoutes.Item, id));
}

public sealed class WebhooksClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<WebhookResponse>>> ListAsync() =>
        api.GetAsync<Paged<WebhookResponse>>(Route.To(WebhooksRoutes.Group), new Query().Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<List<string>>> EventTypesAsync() => api.GetAsync<List<string>>(Route.To(WebhooksRoutes.Group, WebhooksRoutes.EventTypes));

    public Task<ApiResult<WebhookResponse>> GetAsync(Guid id) => api.GetAsync<WebhookResponse>(Route.To(WebhooksRoutes.Group, ApiRoutes.Item, id));

    public Task<ApiResult<WebhookCreatedResponse>> CreateAsync(WebhookRequest request) => api.PostAsync<WebhookCreatedResponse>(Route.To(WebhooksRoutes.Group), request);

    public Task<ApiResult<WebhookResponse>> UpdateAsync(Guid id, WebhookRequest request) =>
        api.PutAsync<WebhookResponse>(Route.To(WebhooksRoutes.Group, ApiRoutes.Item, id), request);

    public Task<ApiResult<WebhookResponse>> SetEnabledAsync(Guid id, bool enabled) =>
        api.PostAsync<WebhookResponse>(Route.To(WebhooksRoutes.Group, enabled ? WebhooksRoutes.Enable : WebhooksRoutes.Disable, id), null);

    public Task<ApiResult<JsonElement>> DeleteAsync(Guid id) => api.DeleteAsync(Route.To(WebhooksRoutes.Group, ApiRoutes.Item, id));

    /// <summary>The latest deliveries, optionally only those with <paramref name="status"/>.</summary>
    public Task<ApiResult<Paged<DeliveryResponse>>> DeliveriesAsync(Guid id, string? status) =>
        api.GetAsync<Paged<DeliveryResponse>>(Route.To(WebhooksRoutes.Group, WebhooksRoutes.Deliveries, id), new Query().Add("pageSize", 50).Add("status", status));

    public Task<ApiResult<List<AttemptResponse>>> AttemptsAsync(Guid id, long deliveryId) =>
        api.GetAsync<List<AttemptResponse>>(Route.To(WebhooksRoutes.Group, WebhooksRoutes.Attempts, id, deliveryId));

    public Task<ApiResult<DeliveryResponse>> SendTestAsync(Guid id) => api.PostAsync<DeliveryResponse>(Route.To(WebhooksRoutes.Group, WebhooksRoutes.Test, id), null);

    public Task<ApiResult<DeliveryResponse>> ReplayAsync(Guid id, long deliveryId) =>
        api.PostAsync<DeliveryResponse>(Route.To(WebhooksRoutes.Group, WebhooksRoutes.Replay, id, deliveryId), null);
}

public sealed class ProvidersClient(ConsoleApi api) : ResourceClient<ProviderRequest, ProviderResponse>(api, ProvidersRoutes.Group)
{
    public Task<ApiResult<Paged<ProviderResponse>>> ListAsync(Guid? siteId) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<ProviderResponse>> RotateSecretAsync(Guid id) => Api.PostAsync<ProviderResponse>(ItemPath(ProvidersRoutes.RotateSecret, id), null);

    public Task<ApiResult<TestConnectionResponse>> TestConnectionAsync(Guid id) =>
        Api.PostAsync<TestConnectionResponse>(ItemPath(ProvidersRoutes.Test, id), null);

    public Task<ApiResult<List<ProviderZoneResponse>>> ZonesAsync(Guid id) => Api.GetAsync<List<ProviderZoneResponse>>(ItemPath(ProvidersRoutes.Zones, id));

    public Task<ApiResult<ZoneSyncResponse>> SyncZonesAsync(Guid id) => Api.PostAsync<ZoneSyncResponse>(ItemPath(ProvidersRoutes.SyncZones, id), null);
}
