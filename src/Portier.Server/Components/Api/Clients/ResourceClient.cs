using System.Text.Json;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

/// <summary>The operations every API resource group has: read, create, change and remove one item by id.</summary>
public abstract class ResourceClient<TRequest, TResponse>(ConsoleApi api, string group)
{
    protected ConsoleApi Api => api;

    protected string Group => group;

    public Task<ApiResult<TResponse>> GetAsync(Guid id) => api.GetAsync<TResponse>(Route.To(group, ApiRoutes.Item, id));

    public Task<ApiResult<TResponse>> CreateAsync(TRequest request) => api.PostAsync<TResponse>(Route.To(group), request);

    public Task<ApiResult<TResponse>> UpdateAsync(Guid id, TRequest request) => api.PutAsync<TResponse>(Route.To(group, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteAsync(Guid id) => api.DeleteAsync(Route.To(group, ApiRoutes.Item, id));

    /// <summary>One page of the group's list, at most <see cref="PageRequest.MaxPageSize"/> items unless the query says fewer.</summary>
    protected Task<ApiResult<Paged<TResponse>>> PageAsync(Query query) => api.GetAsync<Paged<TResponse>>(Route.To(group), query);

    /// <summary>An operation on one item: <paramref name="template"/> under the group, filled with the item's id.</summary>
    protected string ItemPath(string template, Guid id) => Route.To(group, template, id);
}
