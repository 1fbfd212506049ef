using System.Text.Json;
using Portier.Core.Invites;
using Portier.Server.Features.Invites;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class InvitesClient(ConsoleApi api)
{
    /// <summary>One page of a site's invites; filters left null are not applied.</summary>
    public Task<ApiResult<Paged<InviteResponse>>> ListAsync(
        Guid siteId, int page, int pageSize, string sort, string? search, InviteStatus? status, Guid? entryTypeId, DateTimeOffset? from, DateTimeOffset? until) =>
        api.GetAsync<Paged<InviteResponse>>(Route.To(InvitesRoutes.Group), new Query().Add("siteId", siteId).Add("page", page).Add("pageSize", pageSize)
            .Add("sort", sort).Add("q", search ?? "").Add("status", status).Add("entryTypeId", entryTypeId).Add("from", from).Add("until", until));

    public Task<ApiResult<InviteResponse>> GetAsync(string reference) => api.GetAsync<InviteResponse>(Route.To(InvitesRoutes.Group, InvitesRoutes.Invite, reference));

    public Task<ApiResult<InvitePass>> PassAsync(string reference) => api.GetAsync<InvitePass>(Route.To(InvitesRoutes.Group, InvitesRoutes.Pass, reference));

    public Task<ApiResult<InviteResult>> CreateAsync(CreateInviteRequest request) => api.PostAsync<InviteResult>(Route.To(InvitesRoutes.Group), request);

    /// <summary>Moves an invite through its lifecycle: issue it, or accept, cancel, resync or revoke it.</summary>
    public Task<ApiResult<InviteResult>> ExecuteAsync(string reference, InviteAction action, IssueRequest request) =>
        api.PostAsync<InviteResult>(action == InviteAction.Issue
            ? Route.To(InvitesRoutes.Group, InvitesRoutes.Issue, reference)
            : Route.To(InvitesRoutes.Group, InvitesRoutes.Action, reference, action), request);
}

public sealed class EntryTypesClient(ConsoleApi api) : ResourceClient<EntryTypeRequest, EntryTypeResponse>(api, EntryTypesRoutes.Group)
{
    public Task<ApiResult<Paged<EntryTypeResponse>>> ListAsync(Guid? siteId, bool? active = null) =>
        Api.GetAsync<Paged<EntryTypeResponse>>(Route.To(Group),
            new Query().Add("siteId", siteId).Add("active", active).Add("pageSize", PageRequest.MaxPageSize));
}

public sealed class PointsOfEntryClient(ConsoleApi api) : ResourceClient<PointOfEntryRequest, PointOfEntryResponse>(api, EntryTypesRoutes.PointsOfEntry)
{
    public Task<ApiResult<Paged<PointOfEntryResponse>>> ListAsync(Guid? siteId) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));
}

public sealed class ChannelsClient(ConsoleApi api) : ResourceClient<ChannelRequest, ChannelResponse>(api, ChannelsRoutes.Group)
{
    public Task<ApiResult<List<ChannelHandler>>> HandlersAsync() => Api.GetAsync<List<ChannelHandler>>(Route.To(ChannelsRoutes.Handlers));

    public Task<ApiResult<Paged<ChannelResponse>>> ListAsync(bool? active = null) =>
        PageAsync(new Query().Add("active", active).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<ChannelResponse>> LinkSitesAsync(Guid id, ChannelSitesRequest request) =>
        Api.PutAsync<ChannelResponse>(ItemPath(ChannelsRoutes.Sites, id), request);

    public Task<ApiResult<ChannelResponse>> RotateInboundSecretAsync(Guid id) =>
        Api.PostAsync<ChannelResponse>(ItemPath(ChannelsRoutes.InboundSecret, id), null);
}

public sealed class AccessSettingsClient(ConsoleApi api)
{
    public Task<ApiResult<AccessSettingsResponse>> GetAsync() => api.GetAsync<AccessSettingsResponse>(Route.To(AccessSettingsRoutes.Group));

    public Task<ApiResult<AccessSettingsResponse>> UpdateAsync(AccessSettingsRequest request) => api.PutAsync<AccessSettingsResponse>(Route.To(AccessSettingsRoutes.Group), request);

    public Task<ApiResult<List<QrKeyResponse>>> QrKeysAsync(Guid? siteId) =>
        api.GetAsync<List<QrKeyResponse>>(Route.To(AccessSettingsRoutes.Group, AccessSettingsRoutes.QrKeys), new Query().Add("siteId", siteId));

    public Task<ApiResult<QrKeyResponse>> RotateQrKeyAsync(Guid siteId) =>
        api.PostAsync<QrKeyResponse>(Route.To(AccessSettingsRoutes.Group, AccessSettingsRoutes.RotateKey), new ChannelsApi.RotateKeyRequest(siteId));

    public Task<ApiResult<QrKeyResponse>> RetireQrKeyAsync(string keyId) =>
        api.PostAsync<QrKeyResponse>(Route.To(AccessSettingsRoutes.Group, AccessSettingsRoutes.RetireKey, keyId), null);
}

public sealed class GateClient(ConsoleApi api)
{
    /// <summary>Validates a presented credential at a point of entry, as a gate device does.</summary>
    public Task<ApiResult<ValidateResponse>> ValidateAsync(ValidateRequest request) => api.PostAsync<ValidateResponse>(Route.To(GateRoutes.Group, GateRoutes.Validate), request);
}
