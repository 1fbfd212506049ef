using System.Text.Json;
using Portier.Core.EventPolicies;
using Portier.Server.Features.Events;
using Portier.Server.Features.MemberApp;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class EventSeriesClient(ConsoleApi api) : ResourceClient<SeriesRequest, SeriesResponse>(api, EventsRoutes.Series)
{
    public Task<ApiResult<Paged<SeriesResponse>>> ListAsync(Guid? siteId) =>
        PageAsync(new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<List<SessionResponse>>> SessionsAsync(Guid id) => Api.GetAsync<List<SessionResponse>>(ItemPath(EventsRoutes.SeriesSessions, id));

    public Task<ApiResult<SessionResponse>> AddSessionAsync(Guid id, SessionRequest request) =>
        Api.PostAsync<SessionResponse>(ItemPath(EventsRoutes.SeriesSessions, id), request);

    public Task<ApiResult<SessionResponse>> MoveSessionAsync(Guid sessionId, SessionRequest request) =>
        Api.PutAsync<SessionResponse>(Route.To(EventsRoutes.Sessions, ApiRoutes.Item, sessionId), request);

    public Task<ApiResult<SessionResponse>> CancelSessionAsync(Guid sessionId) =>
        Api.PostAsync<SessionResponse>(Route.To(EventsRoutes.Sessions, EventsRoutes.CancelSession, sessionId), null);

    public Task<ApiResult<List<AttendeeResponse>>> AttendeesAsync(Guid id) => Api.GetAsync<List<AttendeeResponse>>(ItemPath(EventsRoutes.SeriesAttendees, id));

    public Task<ApiResult<AttendeeResponse>> AddAttendeeAsync(Guid id, AttendeeRequest request) =>
        Api.PostAsync<AttendeeResponse>(ItemPath(EventsRoutes.SeriesAttendees, id), request);

    public Task<ApiResult<JsonElement>> RemoveAttendeeAsync(Guid attendeeId) => Api.DeleteAsync(Route.To(EventsRoutes.Attendees, ApiRoutes.Item, attendeeId));
}

/// <summary>Event access control: a series' policies, the grant and revoke tasks they plan, and the failures of their providers.</summary>
public sealed class EventAccessClient(ConsoleApi api)
{
    public Task<ApiResult<List<PolicyResponse>>> PoliciesAsync(Guid seriesId) =>
        api.GetAsync<List<PolicyResponse>>(Route.To(EventsRoutes.Series, EventsRoutes.SeriesPolicies, seriesId));

    public Task<ApiResult<List<string>>> TemporaryAuthorizationsAsync(Guid siteId) =>
        api.GetAsync<List<string>>(Route.To(EventsRoutes.Policies, EventsRoutes.TemporaryAuthorizations), new Query().Add("siteId", siteId));

    public Task<ApiResult<PolicyResponse>> CreatePolicyAsync(Guid seriesId, PolicyRequest request) =>
        api.PostAsync<PolicyResponse>(Route.To(EventsRoutes.Series, EventsRoutes.SeriesPolicies, seriesId), request);

    public Task<ApiResult<PolicyResponse>> UpdatePolicyAsync(Guid id, PolicyRequest request) =>
        api.PutAsync<PolicyResponse>(Route.To(EventsRoutes.Policies, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeletePolicyAsync(Guid id) => api.DeleteAsync(Route.To(EventsRoutes.Policies, ApiRoutes.Item, id));

    /// <summary>Per person and window, the access as its provider confirmed it (revocation pending until it confirmed the revoke).</summary>
    public Task<ApiResult<List<AttendeeAccessResponse>>> AccessAsync(Guid seriesId) =>
        api.GetAsync<List<AttendeeAccessResponse>>(Route.To(EventsRoutes.Series, EventsRoutes.SeriesAccess, seriesId));

    public Task<ApiResult<List<TaskResponse>>> SessionTasksAsync(Guid sessionId) =>
        api.GetAsync<List<TaskResponse>>(Route.To(EventsRoutes.Sessions, EventsRoutes.SessionTasks, sessionId));

    public Task<ApiResult<TaskResponse>> RunAsync(Guid taskId, AccessTaskCommand command) =>
        api.PostAsync<TaskResponse>(Route.To(EventsRoutes.Tasks, EventsRoutes.TaskCommand(command), taskId), null);

    public Task<ApiResult<Paged<FailureResponse>>> FailuresAsync(bool includeAcknowledged, Guid? seriesId) =>
        api.GetAsync<Paged<FailureResponse>>(Route.To(EventsRoutes.Integrations, EventsRoutes.Failures),
            new Query().Add("pageSize", PageRequest.MaxPageSize).Add("includeAcknowledged", includeAcknowledged).Add("seriesId", seriesId));

    public Task<ApiResult<EventAccessSettingsResponse>> SettingsAsync() =>
        api.GetAsync<EventAccessSettingsResponse>(Route.To(EventsRoutes.Integrations, EventsRoutes.EventAccessSettings));
}

public sealed class MemberAppClient(ConsoleApi api)
{
    public Task<ApiResult<MemberAppSettingsResponse>> SettingsAsync(Guid siteId) =>
        api.GetAsync<MemberAppSettingsResponse>(Route.To(SitesRoutes.Group, MemberAppRoutes.SiteSettings, siteId));

    public Task<ApiResult<MemberAppSettingsResponse>> SaveSettingsAsync(Guid siteId, MemberAppSettingsRequest request) =>
        api.PutAsync<MemberAppSettingsResponse>(Route.To(SitesRoutes.Group, MemberAppRoutes.SiteSettings, siteId), request);

    public Task<ApiResult<Paged<AppMessageResponse>>> MessagesAsync(Guid siteId) =>
        api.GetAsync<Paged<AppMessageResponse>>(Route.To(MemberAppRoutes.Messages), new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<AppMessageResponse>> CreateMessageAsync(AppMessageRequest request) => api.PostAsync<AppMessageResponse>(Route.To(MemberAppRoutes.Messages), request);

    public Task<ApiResult<AppMessageResponse>> UpdateMessageAsync(Guid id, AppMessageRequest request) =>
        api.PutAsync<AppMessageResponse>(Route.To(MemberAppRoutes.Messages, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteMessageAsync(Guid id) => api.DeleteAsync(Route.To(MemberAppRoutes.Messages, ApiRoutes.Item, id));

    public Task<ApiResult<Paged<AppMessageRuleResponse>>> RulesAsync(Guid siteId) =>
        api.GetAsync<Paged<AppMessageRuleResponse>>(Route.To(MemberAppRoutes.MessageRules), new Query().Add("siteId", siteId).Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<AppMessageRuleResponse>> CreateRuleAsync(AppMessageRuleRequest request) => api.PostAsync<AppMessageRuleResponse>(Route.To(MemberAppRoutes.MessageRules), request);

    public Task<ApiResult<AppMessageRuleResponse>> UpdateRuleAsync(Guid id, AppMessageRuleRequest request) =>
        api.PutAsync<AppMessageRuleResponse>(Route.To(MemberAppRoutes.MessageRules, ApiRoutes.Item, id), request);

    public Task<ApiResult<JsonElement>> DeleteRuleAsync(Guid id) => api.DeleteAsync(Route.To(MemberAppRoutes.MessageRules, ApiRoutes.Item, id));
}
