using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>
/// Invites for operators (<c>/api/v1/invites</c>) and members' own (<c>/api/v1/app/invites</c>). Invites are
/// addressed by reference; a reference that does not exist, is at a site the caller cannot see, or
/// (for a member) is someone else's, answers the same 404.
/// </summary>
public static class InvitesApi
{
    private const string ReferenceAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

    public static IEndpointRouteBuilder MapInvitesApi(this IEndpointRouteBuilder app)
    {
        var invites = app.MapModuleGroup(InvitesRoutes.Group, "Invites");
        invites.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.InvitesRead);
        invites.MapGet(InvitesRoutes.Invite, Get).RequirePermission(Permissions.InvitesRead);
        invites.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.InvitesCreate);
        invites.MapPost(InvitesRoutes.Issue, Issue).RequirePermission(Permissions.InvitesSend);
        invites.MapGet(InvitesRoutes.Pass, Pass).RequirePermission(Permissions.InvitesSend);
        invites.MapPost(InvitesRoutes.Action, Execute).RequirePermission(Permissions.InvitesExecute);

        var own = app.MapModuleGroup(InvitesRoutes.Own, "Member app").RequireMember().RequirePermission(Permissions.InvitesCreateOwn);
        own.MapGet(ApiRoutes.Root, ListOwn);
        own.MapGet(InvitesRoutes.Invite, GetOwn);
        own.MapPost(ApiRoutes.Root, CreateOwn);
        return app;
    }

    private static async Task<Paged<InviteResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, string? q, SnakeCase<InviteStatus>? status, Guid? entryTypeId,
        DateTimeOffset? from, DateTimeOffset? until, string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<Invite>().AsNoTracking().VisibleTo(user);
        if (entryTypeId is not null) query = query.Where(i => i.EntryTypeId == entryTypeId);
        // Invites whose window overlaps [from, until): a visit on a given day, whenever it was booked.
        if (ValidityWindow.ToInstant(from) is { } start) query = query.Where(i => i.ValidUntil > start);
        if (ValidityWindow.ToInstant(until) is { } end) query = query.Where(i => i.ValidFrom < end);
        return await Search(db, query, siteId, q, status, sort, page, pageSize, ct);
    }

    private static async Task<Paged<InviteResponse>> ListOwn(
        PortierDbContext db, CurrentUser user, string? q, SnakeCase<InviteStatus>? status, string? sort, int? page, int? pageSize, CancellationToken ct) =>
        await Search(db, Own(db, user).AsNoTracking(), null, q, status, sort, page, pageSize, ct);

    private static IQueryable<Invite> Own(PortierDbContext db, CurrentUser user) =>
        db.Set<Invite>().Where(i => i.RaisedByMember && i.HostPersonId == user.PersonId);

    /// <summary>Search by reference, visitor name, visitor email or location (site name); filter by status; sort.</summary>
    private static async Task<Paged<InviteResponse>> Search(
        PortierDbContext db, IQueryable<Invite> query, Guid? siteId, string? q, SnakeCase<InviteStatus>? status, string? sort,
        int? page, int? pageSize, CancellationToken ct)
    {
        if (siteId is not null) query = query.Where(i => i.SiteId == siteId);
        if (status is { Value: var s }) query = query.Where(i => i.Status == s);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = TextSearch.ContainsPattern(q);
            var sites = db.Set<Site>().Where(x => EF.Functions.Like(x.Name.ToLower(), pattern, TextSearch.Escape)).Select(x => x.Id);
            query = query.Where(i => EF.Functions.Like(i.Reference.ToLower(), pattern, TextSearch.Escape)
                || EF.Functions.Like(i.VisitorName.ToLower(), pattern, TextSearch.Escape)
                || (i.VisitorEmail != null && EF.Functions.Like(i.VisitorEmail.ToLower(), pattern, TextSearch.Escape))
                || sites.Contains(i.SiteId));
        }
        query = sort switch
        {
            "createdAt" => query.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id),
            "validFrom" => query.OrderBy(i => i.ValidFrom).ThenBy(i => i.Id),
            "-validFrom" => query.OrderByDescending(i => i.ValidFrom).ThenByDescending(i => i.Id),
            "reference" => query.OrderBy(i => i.Reference),
            "-reference" => query.OrderByDescending(i => i.Reference),
            "visitorName" => query.OrderBy(i => i.VisitorName).ThenBy(i => i.Id),
            "-visitorName" => query.OrderByDescending(i => i.VisitorName).ThenByDescending(i => i.Id),
            "status" => query.OrderBy(i => i.Status).ThenBy(i => i.Id),
            _ => query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id),
        };
        var paged = await new PageRequest(page, pageSize).ApplyAsync(query, i => i, ct);
        var types = await db.Set<EntryType>().ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        var siteIds = paged.Items.Select(i => i.SiteId).Distinct().ToList();
        var siteNames = await db.Set<Site>().Where(x => siteIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var channels = await db.Set<Channel>().ToDictionaryAsync(c => c.Id, c => c.Code, ct);
        return new Paged<InviteResponse>(paged.Items.Select(i => Summary(i, siteNames[i.SiteId], types[i.EntryTypeId],
            i.ChannelId is { } c ? channels.GetValueOrDefault(c) ?? "" : ChannelHandlers.BuiltIn, null)).ToList(), paged.Page, paged.PageSize, paged.Total);
    }

    private static InviteResponse Summary(Invite i, string siteName, string typeName, string channel, bool? awaitingApproval) => new(
        i.Id, i.Reference, i.SiteId, siteName, i.Status, new VisitorResponse(i.VisitorName, i.VisitorEmail, i.VisitorPhone), i.VisitorPersonId,
        i.HostPersonId, i.RaisedByMember, i.EntryTypeId, typeName, i.ChannelId, channel, i.Purpose,
        i.ValidFrom.ToDateTimeOffset(), i.ValidUntil.ToDateTimeOffset(), awaitingApproval ?? false, i.ChannelOutput,
        i.CreatedAt.ToDateTimeOffset(), i.UpdatedAt.ToDateTimeOffset(), i.ClosedAt?.ToDateTimeOffset());

    /// <summary>The detail view: the invite, its credential records and the actions its state and channel allow.</summary>
    public static async Task<InviteResponse> DetailAsync(PortierDbContext db, InviteContext context, CancellationToken ct)
    {
        var invite = context.Invite;
        var records = await db.Set<InviteCredential>().AsNoTracking().Where(c => c.InviteId == invite.Id).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var ids = records.Where(r => r.CredentialId != null).Select(r => r.CredentialId!.Value).ToList();
        var uses = await db.Set<Credential>().AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var credentials = records.Select(r =>
        {
            var c = r.CredentialId is { } id ? uses.GetValueOrDefault(id) : null;
            return new InviteCredentialResponse(r.Id, r.Method, r.CredentialId, r.Revealed, r.RevealedAt?.ToDateTimeOffset(), r.Revoked,
                c?.UseCount ?? 0, c?.MaxUses ?? context.EntryType.MaxUses, invite.ValidUntil.ToDateTimeOffset(), r.CreatedAt.ToDateTimeOffset());
        }).ToList();
        var live = records.Any(r => !r.Revoked);
        var actions = InviteLifecycle.Available(invite.Status, context.Handler.Capabilities.Abilities(context.Handler.IsExternal), live, context.AwaitingApproval);
        return Summary(invite, context.SiteName, context.EntryType.Name, context.Channel?.Code ?? ChannelHandlers.BuiltIn, context.AwaitingApproval)
            with { Credentials = credentials, Actions = actions };
    }

    private static async Task<Results<Ok<InviteResponse>, ProblemHttpResult>> Get(string reference, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await FindAsync(db.Set<Invite>().VisibleTo(user), reference, ct) is { } invite
            ? TypedResults.Ok(await DetailAsync(db, await InviteIssuer.LoadAsync(db, invite, ct), ct))
            : NotFound();

    private static async Task<Results<Ok<InviteResponse>, ProblemHttpResult>> GetOwn(string reference, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await FindAsync(Own(db, user), reference, ct) is { } invite
            ? TypedResults.Ok(await DetailAsync(db, await InviteIssuer.LoadAsync(db, invite, ct), ct))
            : NotFound();

    private static Task<Invite?> FindAsync(IQueryable<Invite> query, string reference, CancellationToken ct) =>
        query.FirstOrDefaultAsync(i => i.Reference == Normalize(reference), ct);

    private static string Normalize(string reference) => reference.Trim().ToUpperInvariant();

    /// <summary>One answer for every reference the caller cannot have, so references cannot be probed.</summary>
    private static ProblemHttpResult NotFound() => Problems.NotFound("Invite");

    private static Task<Results<Created<InviteResult>, ValidationProblem, ProblemHttpResult>> Create(
        CreateInviteRequest request, PortierDbContext db, CurrentUser user, InviteIssuer issuer, WebhookOutbox outbox, TimeProvider clock, CancellationToken ct) =>
        CreateAsync(request, request.SiteId, request.HostPersonId, member: false, db, user, issuer, outbox, clock, ct);

    /// <summary>A member's own invite: at their site, hosted by them, listed only to them (and to operators).</summary>
    private static async Task<Results<Created<InviteResult>, ValidationProblem, ProblemHttpResult>> CreateOwn(
        CreateInviteRequest request, PortierDbContext db, CurrentUser user, InviteIssuer issuer, WebhookOutbox outbox, TimeProvider clock, CancellationToken ct)
    {
        var siteId = await db.Set<Person>().Where(p => p.Id == user.PersonId).Select(p => p.SiteId).FirstAsync(ct);
        if (request.ChannelId is not null) return Problems.Invalid("channel_not_allowed", "channelId", "Members' invites use the site's channel.");
        return await CreateAsync(request, siteId, user.PersonId, member: true, db, user, issuer, outbox, clock, ct);
    }

    private static async Task<Results<Created<InviteResult>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateInviteRequest request, Guid siteId, Guid? hostId, bool member, PortierDbContext db, CurrentUser user, InviteIssuer issuer,
        WebhookOutbox outbox, TimeProvider clock, CancellationToken ct)
    {
        if (!member && (siteId == Guid.Empty || !await db.CanUseSiteAsync(siteId, user, ct))) return Problems.NotFound("Site");
        var entryType = await db.Set<EntryType>().FirstOrDefaultAsync(e => e.Id == request.EntryTypeId && e.SiteId == siteId && e.Active, ct);
        if (entryType is null) return Problems.Invalid("unknown_entry_type", "entryTypeId", "Must be an active entry type of the invite's site.");
        if (hostId is { } host && !await db.Set<Person>().AnyAsync(p => p.Id == host && p.SiteId == siteId, ct))
            return Problems.Invalid("unknown_host", "hostPersonId", "Must be a person of the invite's site.");
        var (channel, channelError) = await ChannelForAsync(db, siteId, request.ChannelId, ct);
        if (channelError is not null) return channelError;
        var handler = ChannelHandlers.Find(channel?.Handler) ?? ChannelHandlers.Default;
        var unsupported = entryType.Methods.Where(m => !handler.Capabilities.Supports(m)).ToList();
        if (unsupported.Count > 0)
            return Problems.Invalid("method_not_supported_by_channel", "entryTypeId",
                $"The {string.Join(", ", unsupported).ToLowerInvariant()} method needs a channel that offers face verification.");

        var now = clock.GetCurrentInstant();
        var from = ValidityWindow.ToInstant(request.ValidFrom) ?? now;
        var until = ValidityWindow.ToInstant(request.ValidUntil) ?? from + NodaTime.Duration.FromMinutes(entryType.ValidityMinutes);
        if (until <= from) return Problems.Invalid("validation_failed", "validUntil", "Must be after validFrom.");
        if (until <= now) return Problems.Invalid("window_in_past", "validUntil", "The visit's window has already ended.");
        if (until - from > NodaTime.Duration.FromMinutes(entryType.ValidityMinutes))
            return Problems.Invalid("window_exceeds_entry_type", "validUntil", $"Visits of this entry type last at most {entryType.ValidityMinutes} minutes.");

        var visitor = new Person
        {
            SiteId = siteId, Name = request.VisitorName.Trim(), Email = request.VisitorEmail?.Trim(), Phone = request.VisitorPhone?.Trim(),
            PersonType = "Visitor", CreatedAt = now, UpdatedAt = now,
        };
        Invite invite;
        do
        {
            invite = new Invite
            {
                SiteId = siteId, Reference = NewReference(), VisitorPersonId = visitor.Id, VisitorName = visitor.Name, VisitorEmail = visitor.Email,
                VisitorPhone = visitor.Phone, HostPersonId = hostId, RaisedByMember = member, EntryTypeId = entryType.Id, ChannelId = channel?.Id,
                Purpose = string.IsNullOrWhiteSpace(request.Purpose) ? null : request.Purpose.Trim(), ValidFrom = from, ValidUntil = until,
                CreatedAt = now, UpdatedAt = now,
            };
            db.AddRange(visitor, invite);
            await outbox.AddAsync(db, [InviteWebhooks.Created(invite, now)], ct);
        }
        while (!await db.TrySaveUniqueAsync(ct));

        var context = await InviteIssuer.LoadAsync(db, invite, ct);
        IssuedCredentials? issued = null;
        if (request.IssueCredential) issued = await IssueAsync(db, context, issuer, request.SendNotification, now, ct);
        return TypedResults.Created($"/api/v1/invites/{invite.Reference}", new InviteResult(await DetailAsync(db, context, ct), issued));
    }

    /// <summary>The named channel, else the site's first active linked channel, else the tenant default; none = Portier's own.</summary>
    private static async Task<(Channel? Channel, ValidationProblem? Error)> ChannelForAsync(PortierDbContext db, Guid siteId, Guid? channelId, CancellationToken ct)
    {
        var channels = await db.Set<Channel>().Where(c => c.Active).ToListAsync(ct);
        if (channelId is { } id)
        {
            var named = channels.FirstOrDefault(c => c.Id == id);
            if (named is null) return (null, Problems.Invalid("unknown_channel", "channelId", "Must be an active channel."));
            if (named.SiteIds.Count > 0 && !named.SiteIds.Contains(siteId))
                return (null, Problems.Invalid("channel_not_linked", "channelId", "The channel is not linked to the invite's site."));
            return (named, null);
        }
        var linked = channels.Where(c => c.SiteIds.Contains(siteId)).OrderBy(c => c.DisplayOrder).ThenBy(c => c.Code, StringComparer.Ordinal).FirstOrDefault();
        if (linked is not null) return (linked, null);
        var defaultId = (await ChannelsApi.SettingsAsync(db, ct)).DefaultChannelId;
        return (channels.FirstOrDefault(c => c.Id == defaultId && (c.SiteIds.Count == 0 || c.SiteIds.Contains(siteId))), null);
    }

    private static string NewReference() =>
        "INV-" + string.Concat(Enumerable.Range(0, 8).Select(_ => ReferenceAlphabet[RandomNumberGenerator.GetInt32(ReferenceAlphabet.Length)]));

    /// <summary>Issue from draft moves the invite to pending; when the entry type needs approval nothing is issued until it is accepted.</summary>
    private static async Task<IssuedCredentials?> IssueAsync(PortierDbContext db, InviteContext context, InviteIssuer issuer, bool notify, NodaTime.Instant now, CancellationToken ct)
    {
        var invite = context.Invite;
        invite.MoveTo(InviteLifecycle.After(invite.Status, InviteAction.Issue), now);
        if (context.AwaitingApproval)
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        return await issuer.IssueAsync(db, context, notify, ct);
    }

    private static async Task<Results<Ok<InviteResult>, ProblemHttpResult>> Issue(
        string reference, IssueRequest? request, PortierDbContext db, CurrentUser user, InviteIssuer issuer, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db.Set<Invite>().VisibleTo(user), reference, ct) is not { } invite) return NotFound();
        var context = await InviteIssuer.LoadAsync(db, invite, ct);
        var refusal = InviteLifecycle.Check(invite.Status, InviteAction.Issue, context.Handler.Capabilities.Abilities(context.Handler.IsExternal),
            hasActiveCredentials: false, context.AwaitingApproval);
        if (refusal is not null) return Refused(refusal, invite.Status, InviteAction.Issue);
        if (request?.SendNotification == true && invite.VisitorEmail is null)
            return Problems.BadRequest("visitor_email_missing", "The visitor has no email address to send to.", "sendNotification");
        var issued = await IssueAsync(db, context, issuer, request?.SendNotification == true, clock.GetCurrentInstant(), ct);
        return TypedResults.Ok(new InviteResult(await DetailAsync(db, context, ct), issued));
    }

    /// <summary>
    /// The invite's QR pass, signed afresh as the visitor link does (the database keeps only its nonce), so the
    /// front desk can show or print it. Someone who may resend credentials may see it; 404 without a live QR credential.
    /// </summary>
    private static async Task<Results<Ok<InvitePass>, ProblemHttpResult>> Pass(
        string reference, PortierDbContext db, CurrentUser user, InviteIssuer issuer, CancellationToken ct)
    {
        if (await FindAsync(db.Set<Invite>().AsNoTracking().VisibleTo(user), reference, ct) is not { } invite || InviteLifecycle.IsFinal(invite.Status))
            return NotFound();
        return await issuer.LivePassAsync(db, invite, ct) is { } pass ? TypedResults.Ok(new InvitePass(pass)) : Problems.NotFound("QR pass");
    }

    private static async Task<Results<Ok<InviteResult>, ProblemHttpResult>> Execute(
        string reference, string action, IssueRequest? request, PortierDbContext db, CurrentUser user, InviteIssuer issuer, ChannelPusher pusher,
        WebhookOutbox outbox, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db.Set<Invite>().VisibleTo(user), reference, ct) is not { } invite) return NotFound();
        if (!SnakeCase<InviteAction>.TryParse(action, out var parsed) || parsed.Value == InviteAction.Issue)
            return Problems.BadRequest("unknown_action", "Actions are accept, cancel, resync and revoke; issue has its own route.", "action");
        var what = parsed.Value;
        var context = await InviteIssuer.LoadAsync(db, invite, ct);
        var live = await db.Set<InviteCredential>().AnyAsync(c => c.InviteId == invite.Id && !c.Revoked, ct);
        var refusal = InviteLifecycle.Check(invite.Status, what, context.Handler.Capabilities.Abilities(context.Handler.IsExternal), live, context.AwaitingApproval);
        if (refusal is not null) return Refused(refusal, invite.Status, what);

        var now = clock.GetCurrentInstant();
        var wasAwaiting = context.AwaitingApproval;
        var before = invite.Status;
        invite.MoveTo(InviteLifecycle.After(invite.Status, what), now);
        // Added before anything saves (issuing on accept saves), so it commits with the status change.
        if (invite.Status != before && InviteWebhooks.Moved(invite, now) is { } moved) await outbox.AddAsync(db, [moved], ct);
        IssuedCredentials? issued = null;
        switch (what)
        {
            case InviteAction.Accept when wasAwaiting:
                issued = await issuer.IssueAsync(db, context, request?.SendNotification == true && invite.VisitorEmail is not null, ct);
                break;
            case InviteAction.Cancel or InviteAction.Revoke:
                await InviteIssuer.RevokeAllAsync(db, invite, now, ct);
                invite.ChannelOutput = await pusher.PushAsync(context, "credentials.revoked", null, null, ct) ?? invite.ChannelOutput;
                break;
            case InviteAction.Resync:
                invite.ChannelOutput = await pusher.PushAsync(context, "credentials.resync", null, null, ct) ?? invite.ChannelOutput;
                break;
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new InviteResult(await DetailAsync(db, context, ct), issued));
    }

    private static ProblemHttpResult Refused(string code, InviteStatus status, InviteAction action) =>
        Problems.Conflict(code, $"{action.ToString().ToLowerInvariant()} is not available for a {status.ToString().ToLowerInvariant()} invite ({code.Replace('_', ' ')}).");
}
