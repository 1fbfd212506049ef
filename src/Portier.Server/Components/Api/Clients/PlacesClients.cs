using System.Text.Json;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Occupancy;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Unlocks;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class SitesClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<SiteResponse>>> ListAsync() =>
        api.GetAsync<Paged<SiteResponse>>(Route.To(SitesRoutes.Group), new Query().Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<SiteResponse>> GetAsync(Guid id) => api.GetAsync<SiteResponse>(Route.To(SitesRoutes.Group, ApiRoutes.Item, id));

    public Task<ApiResult<SiteResponse>> CreateAsync(SiteRequest request) => api.PostAsync<SiteResponse>(Route.To(SitesRoutes.Group), request);

    public Task<ApiResult<SiteResponse>> UpdateAsync(Guid id, SiteRequest request) => api.PutAsync<SiteResponse>(Route.To(SitesRoutes.Group, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteAsync(Guid id) => api.DeleteAsync(Route.To(SitesRoutes.Group, ApiRoutes.Item, id));
}

public sealed class ZonesClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<ZoneResponse>>> ListAsync(Guid? siteId) =>
        api.GetAsync<Paged<ZoneResponse>>(Route.To(ZonesRoutes.Group), new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<ZoneResponse>> CreateAsync(ZoneRequest request) => api.PostAsync<ZoneResponse>(Route.To(ZonesRoutes.Group), request);

    public Task<ApiResult<ZoneResponse>> UpdateAsync(Guid id, ZoneRequest request) => api.PutAsync<ZoneResponse>(Route.To(ZonesRoutes.Group, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteAsync(Guid id) => api.DeleteAsync(Route.To(ZonesRoutes.Group, ApiRoutes.Item, id));

    /// <summary>Corrects the live head count of a zone.</summary>
    public Task<ApiResult<ZoneResponse>> SetOccupancyAsync(Guid id, OccupancyCorrection request) =>
        api.PutAsync<ZoneResponse>(Route.To(ZonesRoutes.Group, OccupancyRoutes.Count, id), request);
}

public sealed class DoorsClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<DoorResponse>>> ListAsync(Guid? siteId, int pageSize = PageRequest.MaxPageSize) =>
        api.GetAsync<Paged<DoorResponse>>(Route.To(DoorsRoutes.Group), new Query().Add("siteId", siteId).Add("pageSize", pageSize));

    public Task<ApiResult<DoorResponse>> GetAsync(Guid id) => api.GetAsync<DoorResponse>(Route.To(DoorsRoutes.Group, ApiRoutes.Item, id));

    public Task<ApiResult<DoorResponse>> CreateAsync(DoorRequest request) => api.PostAsync<DoorResponse>(Route.To(DoorsRoutes.Group), request);

    public Task<ApiResult<DoorResponse>> UpdateAsync(Guid id, DoorRequest request) => api.PutAsync<DoorResponse>(Route.To(DoorsRoutes.Group, ApiRoutes.Item, id), request);

    public Task<ApiResult<DoorResponse>> SetMaintenanceAsync(Guid id, MaintenanceRequest request) =>
        api.PutAsync<DoorResponse>(Route.To(DoorsRoutes.Group, DoorsRoutes.Maintenance, id), request);

    /// <summary>An admin override: the door is decided and opened like any other attempt.</summary>
    public Task<ApiResult<UnlockResponse>> OpenAsync(Guid id) => api.PostAsync<UnlockResponse>(Route.To(DoorsRoutes.Group, UnlocksRoutes.AdminOpen, id), null);

    public Task<ApiResult<JsonElement>> DeleteAsync(Guid id) => api.DeleteAsync(Route.To(DoorsRoutes.Group, ApiRoutes.Item, id));
}

public sealed class ScopesClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<ScopeResponse>>> ListAsync(Guid? siteId) =>
        api.GetAsync<Paged<ScopeResponse>>(Route.To(ScopesRoutes.Group), new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<ScopeResponse>> CreateAsync(ScopeRequest request) => api.PostAsync<ScopeResponse>(Route.To(ScopesRoutes.Group), request);

    public Task<ApiResult<ScopeResponse>> UpdateAsync(Guid id, ScopeRequest request) => api.PutAsync<ScopeResponse>(Route.To(ScopesRoutes.Group, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteAsync(Guid id) => api.DeleteAsync(Route.To(ScopesRoutes.Group, ApiRoutes.Item, id));
}

public sealed class DevicesClient(ConsoleApi api)
{
    public Task<ApiResult<Paged<DeviceResponse>>> ListAsync(Guid? siteId) =>
        api.GetAsync<Paged<DeviceResponse>>(Route.To(DevicesRoutes.Group), new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<Paged<DeviceResponse>>> ForDoorAsync(Guid doorId) =>
        api.GetAsync<Paged<DeviceResponse>>(Route.To(DevicesRoutes.Group), new Query().Add("doorId", doorId).Add("pageSize", 50));

    public Task<ApiResult<DeviceResponse>> CreateAsync(DeviceRequest request) => api.PostAsync<DeviceResponse>(Route.To(DevicesRoutes.Group), request);

    public Task<ApiResult<PairingCodeResponse>> IssuePairingCodeAsync(Guid id) =>
        api.PostAsync<PairingCodeResponse>(Route.To(DevicesRoutes.Group, DevicesRoutes.PairingCode, id), null);

    public Task<ApiResult<JsonElement>> UnpairAsync(Guid id) => api.DeleteAsync(Route.To(DevicesRoutes.Group, ApiRoutes.Item, id));
}
