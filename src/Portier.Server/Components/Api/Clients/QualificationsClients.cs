using System.Text.Json;
using Portier.Server.Features.Qualifications;

namespace Portier.Server.Components.Api;

public sealed class QualificationsClient(ConsoleApi api) : ResourceClient<QualificationRequest, QualificationResponse>(api, QualificationsRoutes.Group)
{
    /// <summary>The shared qualifications and the site's own.</summary>
    public Task<ApiResult<List<QualificationResponse>>> ListAsync(Guid? siteId) =>
        Api.GetAsync<List<QualificationResponse>>(Route.To(Group), new Query().Add("siteId", siteId));

    /// <summary>Held qualifications expiring in the next 30 days or expired in the last 30, soonest first.</summary>
    public Task<ApiResult<List<QualificationHolderResponse>>> ExpiringAsync(Guid? siteId) =>
        Api.GetAsync<List<QualificationHolderResponse>>(Route.To(Group, QualificationsRoutes.Expiring), new Query().Add("siteId", siteId));

    public Task<ApiResult<List<PersonQualificationResponse>>> OfPersonAsync(Guid personId) =>
        Api.GetAsync<List<PersonQualificationResponse>>(Route.To(QualificationsRoutes.PeopleGroup, QualificationsRoutes.OfPerson, personId));

    public Task<ApiResult<PersonQualificationResponse>> GrantAsync(Guid personId, GrantQualificationRequest request) =>
        Api.PostAsync<PersonQualificationResponse>(Route.To(QualificationsRoutes.PeopleGroup, QualificationsRoutes.OfPerson, personId), request);

    public Task<ApiResult<JsonElement>> RevokeAsync(Guid personId, Guid qualificationId) =>
        Api.DeleteAsync(Route.To(QualificationsRoutes.PeopleGroup, QualificationsRoutes.OfPersonItem, personId, qualificationId));

    /// <summary>Imports held qualifications from a CSV file (or, with <paramref name="dryRun"/>, only shows what each row would do).</summary>
    public Task<ApiResult<QualificationImportResult>> ImportAsync(Guid siteId, bool dryRun, HttpContent csv) =>
        Api.SendContentAsync<QualificationImportResult>(HttpMethod.Post, Route.To(Group, QualificationsRoutes.Import), new Query().Add("siteId", siteId).Add("dryRun", dryRun), csv);
}
