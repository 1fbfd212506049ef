using System.Text.Json;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Invites;
using Portier.Server.Features.MemberApp;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components.Api;

public sealed class PeopleClient(ConsoleApi api) : ResourceClient<PersonRequest, PersonResponse>(api, PeopleRoutes.Group)
{
    /// <summary>One page of a site's people, by name; <paramref name="search"/> matches name, email or external id.</summary>
    public Task<ApiResult<Paged<PersonResponse>>> ListAsync(Guid? siteId, string? search = null, int page = 1, int pageSize = PageRequest.MaxPageSize, bool? accessEnabled = null) =>
        PageAsync(new Query().Add("siteId", siteId).Add("accessEnabled", accessEnabled)
            .Add("page", page).Add("pageSize", pageSize).Add("q", search));

    /// <summary>The people with these ids (those the admin may see), in one request.</summary>
    public Task<ApiResult<Paged<PersonResponse>>> ByIdsAsync(IReadOnlyCollection<Guid> ids) =>
        PageAsync(new Query().AddEach("id", ids).Add("pageSize", ids.Count));

    /// <summary>The kill switch: access enabled or not.</summary>
    public Task<ApiResult<PersonResponse>> SetAccessAsync(Guid id, bool enabled) =>
        Api.PutAsync<PersonResponse>(ItemPath(PeopleRoutes.Access, id), new AccessRequest(enabled));

    public Task<ApiResult<PersonResponse>> SetCustomTagsAsync(Guid id, CustomTagsRequest request) =>
        Api.PutAsync<PersonResponse>(ItemPath(PeopleRoutes.CustomTags, id), request);

    /// <summary>The person types and statuses of a site's people, for rule editors.</summary>
    public Task<ApiResult<PersonVocabulary>> VocabularyAsync(Guid siteId) =>
        Api.GetAsync<PersonVocabulary>(Route.To(Group, PeopleRoutes.Vocabulary), new Query().Add("siteId", siteId));

    /// <summary>Imports (or, with <paramref name="dryRun"/>, only checks) a CSV of people.</summary>
    public Task<ApiResult<ImportResult>> ImportAsync(Guid siteId, bool dryRun, HttpContent csv) =>
        Api.SendContentAsync<ImportResult>(HttpMethod.Post, Route.To(Group, PeopleRoutes.Import), new Query().Add("siteId", siteId).Add("dryRun", dryRun), csv);

    public Task<ApiResult<Paged<GrantResponse>>> GrantsAsync(Guid id) =>
        Api.GetAsync<Paged<GrantResponse>>(ItemPath(GrantsRoutes.ForPerson, id), new Query().Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<Paged<CredentialResponse>>> CredentialsAsync(Guid id) =>
        Api.GetAsync<Paged<CredentialResponse>>(ItemPath(CredentialsRoutes.ForPerson, id), new Query().Add("pageSize", PageRequest.MaxPageSize));

    public Task<ApiResult<AppInvitationResponse>> AppInvitationAsync(Guid id) =>
        Api.GetAsync<AppInvitationResponse>(ItemPath(MemberAppRoutes.PersonInvitation, id));

    public Task<ApiResult<AppInvitationResponse>> SendAppInvitationAsync(Guid id) =>
        Api.PostAsync<AppInvitationResponse>(ItemPath(MemberAppRoutes.PersonInvitation, id), new { });

    /// <summary>The member app invitations of these people, in one request (no record = not invited).</summary>
    public Task<ApiResult<Paged<AppInvitationResponse>>> AppInvitationsAsync(Guid siteId, IReadOnlyCollection<Guid> personIds) =>
        Api.GetAsync<Paged<AppInvitationResponse>>(Route.To(MemberAppRoutes.Invitations),
            new Query().Add("siteId", siteId).Add("pageSize", personIds.Count).AddEach("personId", personIds));

    public Task<ApiResult<List<string>>> MemberPermissionsAsync(Guid id) =>
        Api.GetAsync<List<string>>(ItemPath(AccessSettingsRoutes.MemberPermissions, id));

    public Task<ApiResult<List<string>>> SetMemberPermissionsAsync(Guid id, MemberPermissionsRequest request) =>
        Api.PutAsync<List<string>>(ItemPath(AccessSettingsRoutes.MemberPermissions, id), request);
}

public sealed class GrantsClient(ConsoleApi api) : ResourceClient<GrantRequest, GrantResponse>(api, GrantsRoutes.Group)
{
}

public sealed class CredentialsClient(ConsoleApi api)
{
    public Task<ApiResult<CredentialResponse>> CreateAsync(CreateCredentialRequest request) => api.PostAsync<CredentialResponse>(Route.To(CredentialsRoutes.Group), request);

    public Task<ApiResult<CredentialResponse>> UpdateAsync(Guid id, UpdateCredentialRequest request) =>
        api.PutAsync<CredentialResponse>(Route.To(CredentialsRoutes.Group, ApiRoutes.Item, id), request);

    public Task<ApiResult<CredentialResponse>> RevokeAsync(Guid id) => api.PostAsync<CredentialResponse>(Route.To(CredentialsRoutes.Group, CredentialsRoutes.Revoke, id), null);
}

public sealed class AccessEventsClient(ConsoleApi api)
{
    /// <summary>
    /// One page of attempts matching <paramref name="filter"/>, newest first: the newest page, or the one
    /// <paramref name="after"/> (older) or <paramref name="before"/> (newer) a cursor leads to.
    /// </summary>
    public Task<ApiResult<CursorPage<AccessEventResponse>>> ListAsync(AccessLogFilter filter, int limit, string? after = null, string? before = null) =>
        api.GetAsync<CursorPage<AccessEventResponse>>(Route.To(AccessLogRoutes.Group), FilterQuery(filter).Add("limit", limit).Add("after", after).Add("before", before));

    /// <summary>The filter as query parameters, as both the list and the CSV export read them.</summary>
    public static Query FilterQuery(AccessLogFilter filter) => new Query()
        .Add("siteId", filter.SiteId).Add("doorId", filter.DoorId).Add("zoneId", filter.ZoneId).Add("personId", filter.PersonId)
        .Add("credentialId", filter.CredentialId).Add("outcome", filter.Outcome).Add("reason", filter.Reason).Add("from", filter.From).Add("to", filter.To)
        .Add("offline", filter.Offline).Add("passbackViolation", filter.PassbackViolation);

    /// <summary>Where the CSV export of the attempts matching a filter is: the path and its query.</summary>
    public static string ExportPath => Route.To(AccessLogRoutes.Group, AccessLogRoutes.Export);
}
