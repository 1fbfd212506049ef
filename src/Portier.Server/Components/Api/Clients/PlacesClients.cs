using System.Text.Json;
using Portier.Server.Features.Bundles;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Occupancy;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Passback;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Unlocks;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class SitesClient(ConsoleApi api) : ResourceClient<SiteRequest, SiteResponse>(api, SitesRoutes.Group)
{
    public Task<ApiResult<Paged<SiteResponse>>> ListAsync() =>
        PageAsync(new Query().Add("pageSize", PageRequest.MaxPageSize));
}

public sealed class ZonesClient(ConsoleApi api) : ResourceClient<ZoneRequest, ZoneResponse>(api, ZonesRoutes.Group)
{
    public Task<ApiResult<Paged<ZoneResponse>>> ListAsync(Guid? siteId) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    /// <summary>Corrects the live head count of a zone.</summary>
    public Task<ApiResult<ZoneResponse>> SetOccupancyAsync(Guid id, OccupancyCorrection request) =>
        Api.PutAsync<ZoneResponse>(ItemPath(OccupancyRoutes.Count, id), request);

    public Task<ApiResult<PassbackSettingsResponse>> SetPassbackAsync(Guid id, PassbackSettingsRequest request) =>
        Api.PutAsync<PassbackSettingsResponse>(ItemPath(PassbackRoutes.Settings, id), request);

    /// <summary>Forgives one person, or everyone, in the zone.</summary>
    public Task<ApiResult<ForgivenessResponse>> ForgiveAsync(Guid id, Guid? personId) =>
        Api.PostAsync<ForgivenessResponse>(ItemPath(PassbackRoutes.Forgive, id), new ForgiveRequest(personId));
}

public sealed class DoorsClient(ConsoleApi api) : ResourceClient<DoorRequest, DoorResponse>(api, DoorsRoutes.Group)
{
    public Task<ApiResult<Paged<DoorResponse>>> ListAsync(Guid? siteId, int pageSize = PageRequest.MaxPageSize) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", pageSize));

    public Task<ApiResult<DoorResponse>> SetMaintenanceAsync(Guid id, MaintenanceRequest request) =>
        Api.PutAsync<DoorResponse>(ItemPath(DoorsRoutes.Maintenance, id), request);

    public Task<ApiResult<DoorResponse>> StartOverrideAsync(Guid id, DoorOverrideRequest request) =>
        Api.PutAsync<DoorResponse>(ItemPath(DoorsRoutes.Override, id), request);

    public Task<ApiResult<DoorResponse>> EndOverrideAsync(Guid id) => Api.DeleteAsync<DoorResponse>(ItemPath(DoorsRoutes.Override, id));

    /// <summary>An admin override: the door is decided and opened like any other attempt.</summary>
    public Task<ApiResult<UnlockResponse>> OpenAsync(Guid id) => Api.PostAsync<UnlockResponse>(ItemPath(UnlocksRoutes.AdminOpen, id), null);
}

public sealed class ScopesClient(ConsoleApi api) : ResourceClient<ScopeRequest, ScopeResponse>(api, ScopesRoutes.Group)
{
    public Task<ApiResult<Paged<ScopeResponse>>> ListAsync(Guid? siteId) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));
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

    public Task<ApiResult<DeviceResponse>> GetAsync(Guid id) => api.GetAsync<DeviceResponse>(Route.To(DevicesRoutes.Group, ApiRoutes.Item, id));

    public Task<ApiResult<List<ReaderResponse>>> ReadersAsync(Guid id) => api.GetAsync<List<ReaderResponse>>(Route.To(DevicesRoutes.Group, DevicesRoutes.Readers, id));

    public Task<ApiResult<ReaderResponse>> AddReaderAsync(Guid id, ReaderRequest request) =>
        api.PostAsync<ReaderResponse>(Route.To(DevicesRoutes.Group, DevicesRoutes.Readers, id), request);

    public Task<ApiResult<JsonElement>> RemoveReaderAsync(Guid id, string readerId) =>
        api.DeleteAsync(Route.To(DevicesRoutes.Group, DevicesRoutes.Reader, id, readerId));

    /// <summary>Every paired controller of the site with its bundle (version, age, acknowledgement, pending revocations).</summary>
    public Task<ApiResult<List<ControllerBundleResponse>>> BundlesAsync(Guid siteId) =>
        api.GetAsync<List<ControllerBundleResponse>>(Route.To(SitesRoutes.Group, BundlesRoutes.OfSite, siteId));
}
