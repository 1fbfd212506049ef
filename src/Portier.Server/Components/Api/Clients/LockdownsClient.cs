using Portier.Server.Features.Lockdowns;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class LockdownsClient(ConsoleApi api) : ResourceClient<LockdownPlanRequest, LockdownPlanResponse>(api, LockdownsRoutes.Group)
{
    public Task<ApiResult<Paged<LockdownPlanResponse>>> ListAsync(Guid? siteId) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<List<LockdownPlanResponse>>> ActiveAsync(Guid? doorId = null) =>
        Api.GetAsync<List<LockdownPlanResponse>>(Route.To(Group, LockdownsRoutes.Active), new Query().Add("doorId", doorId));

    public Task<ApiResult<LockdownPlanResponse>> StartAsync(Guid id) => Api.PostAsync<LockdownPlanResponse>(ItemPath(LockdownsRoutes.Start, id), null);

    public Task<ApiResult<LockdownPlanResponse>> EndAsync(Guid id) => Api.PostAsync<LockdownPlanResponse>(ItemPath(LockdownsRoutes.End, id), null);

    public Task<ApiResult<MusterResponse>> MusterAsync(Guid id) => Api.GetAsync<MusterResponse>(ItemPath(LockdownsRoutes.Muster, id));

    public Task<ApiResult<MusterResponse>> AccountAsync(Guid id, Guid personId) =>
        Api.PutAsync<MusterResponse>(Route.To(Group, LockdownsRoutes.MusterPerson, id, personId), null);
}
