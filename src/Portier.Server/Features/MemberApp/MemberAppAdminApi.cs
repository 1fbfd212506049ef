using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Invites;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Email;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>
/// Operators' member app controls: the site's app lock (<c>/api/v1/sites/{id}/member-app</c>) and
/// the email invitation to the app, tracked per person (not invited, invited, send failed).
/// </summary>
public static partial class MemberAppAdminApi
{
    public static IEndpointRouteBuilder MapMemberAppAdminApi(this IEndpointRouteBuilder app)
    {
        var sites = app.MapApiGroup(SitesRoutes.Group, "Member app");
        sites.MapGet(MemberAppRoutes.SiteSettings, GetSettings).RequirePermission(Permissions.SitesRead);
        sites.MapPut(MemberAppRoutes.SiteSettings, PutSettings).RequirePermission(Permissions.SitesWrite);

        var people = app.MapApiGroup(PeopleRoutes.Group, "Member app");
        people.MapGet(MemberAppRoutes.PersonInvitation, GetInvitation).RequirePermission(Permissions.PeopleRead);
        people.MapPost(MemberAppRoutes.PersonInvitation, SendInvitation).RequirePermission(Permissions.PeopleWrite);
        app.MapApiGroup(MemberAppRoutes.Invitations, "Member app").MapGet(ApiRoutes.Root, ListInvitations).RequirePermission(Permissions.PeopleRead);
        return app;
    }

    private static async Task<Results<Ok<MemberAppSettingsResponse>, ProblemHttpResult>> GetSettings(
        Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(id, user, ct)) return Problems.NotFound("Site");
        var minutes = await db.Set<MemberAppSettings>().Where(s => s.SiteId == id).Select(s => s.AppLockMinutes).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new MemberAppSettingsResponse(id, minutes));
    }

    private static async Task<Results<Ok<MemberAppSettingsResponse>, ProblemHttpResult>> PutSettings(
        Guid id, MemberAppSettingsRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(id, user, ct)) return Problems.NotFound("Site");
        var settings = await db.Set<MemberAppSettings>().FirstOrDefaultAsync(s => s.SiteId == id, ct);
        if (settings is null) db.Add(settings = new MemberAppSettings { SiteId = id });
        settings.AppLockMinutes = request.AppLockMinutes;
        settings.UpdatedAt = clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new MemberAppSettingsResponse(id, settings.AppLockMinutes));
    }

    private static async Task<Results<Ok<AppInvitationResponse>, ProblemHttpResult>> GetInvitation(
        Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<Person>().AnyAsync(p => p.Id == id, ct)) return Problems.NotFound("Person");
        var invitation = await db.Set<AppInvitation>().AsNoTracking().FirstOrDefaultAsync(i => i.PersonId == id, ct);
        return TypedResults.Ok(invitation is null ? AppInvitationResponse.NotInvited(id) : AppInvitationResponse.From(invitation));
    }

    private static async Task<Paged<AppInvitationResponse>> ListInvitations(
        PortierDbContext db, CurrentUser user, Guid? siteId, SnakeCase<AppInvitationStatus>? status,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "personId")] Guid[]? personIds, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<AppInvitation>().AsNoTracking();
        if (siteId is not null) query = query.Where(i => i.SiteId == siteId);
        if (personIds is { Length: > 0 }) query = query.Where(i => personIds.Contains(i.PersonId));
        if (status is { Value: var s }) query = query.Where(i => i.Status == s);
        return await new PageRequest(page, pageSize).ApplyAsync(query.OrderBy(i => i.PersonId), AppInvitationResponse.From, ct);
    }

    /// <summary>
    /// Emails the person a link to the member app and records the outcome. A failed hand-over to the
    /// mail server is an answer (status <c>send_failed</c> with the error), not an error: it is recorded
    /// so the People list shows who still needs an invitation.
    /// </summary>
    private static async Task<Results<Ok<AppInvitationResponse>, ValidationProblem, ProblemHttpResult>> SendInvitation(
        Guid id, PortierDbContext db, CurrentUser user, EmailSender email, IOptions<InviteOptions> links, TimeProvider clock,
        ILogger<AppInvitation> logger, CancellationToken ct)
    {
        var person = await db.Set<Person>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null) return Problems.NotFound("Person");
        if (string.IsNullOrWhiteSpace(person.Email))
            return Problems.Invalid("person_has_no_email", "email", "The person needs an email address to be invited to the member app.");
        var siteName = await db.Set<Site>().Where(s => s.Id == person.SiteId).Select(s => s.Name).FirstAsync(ct);
        var invitation = await db.Set<AppInvitation>().FirstOrDefaultAsync(i => i.PersonId == id, ct);
        if (invitation is null) db.Add(invitation = new AppInvitation { PersonId = id, SiteId = person.SiteId });

        var link = $"{links.Value.PublicBaseUrl.TrimEnd('/')}/app?site={person.SiteId}";
        try
        {
            await email.SendAsync(new EmailMessage(person.Email, $"Your {siteName} member app",
                $"Hello {person.Name},\n\n{siteName} invites you to its member app. Open {link} on your phone and sign in with this "
                + "email address: we will email you a 6-digit code. The app shows the doors you can open and lets you unlock them.\n"), ct);
            invitation.Status = AppInvitationStatus.Invited;
            invitation.LastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSendFailed(logger, id, e);
            invitation.Status = AppInvitationStatus.SendFailed;
            invitation.LastError = e.Message.Length > 500 ? e.Message[..500] : e.Message;
        }
        invitation.SendCount++;
        invitation.LastSentAt = invitation.UpdatedAt = clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AppInvitationResponse.From(invitation));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not email the member app invitation to person {PersonId}")]
    private static partial void LogSendFailed(ILogger logger, Guid personId, Exception exception);
}
