using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Policy;
using Portier.Server.Features.Lockdowns;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Invites;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>The member app's home for the signed-in person: message cards, my QR credential, and what I may invite visitors with.</summary>
public static class MemberHomeApi
{
    public static IEndpointRouteBuilder MapMemberHomeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("app", "Member app");
        group.MapGet("/messages", Messages).RequireMember();
        group.MapGet("/qr", Qr).RequireMember();
        group.MapGet("/qr.png", QrPng).RequireMember();
        app.MapModuleGroup("app/invite-types", "Member app").RequireMember().RequirePermission(Permissions.InvitesCreateOwn)
            .MapGet("/", InviteTypes);
        return app;
    }

    /// <summary>Site-wide and personal messages inside their window, then the automatic ones whose rule matches me now.</summary>
    private static async Task<IReadOnlyList<MemberMessage>> Messages(PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var person = await db.Set<Person>().AsNoTracking().FirstAsync(p => p.Id == user.PersonId, ct);
        var now = clock.GetCurrentInstant();
        var messages = await db.Set<AppMessage>().AsNoTracking()
            .Where(m => m.SiteId == person.SiteId && (m.PersonId == null || m.PersonId == person.Id))
            .OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(ct);
        var rules = await db.Set<AppMessageRule>().AsNoTracking().Where(r => r.SiteId == person.SiteId && r.Active)
            .OrderBy(r => r.Name).ThenBy(r => r.Id).ToListAsync(ct);
        var emergencies = (await LockdownsApi.ActivePlansAsync(db, person.SiteId, ct)).Select(p => new MemberMessage(p.Id, AppMessageKind.Emergency,
            p.Kind == LockdownKind.Lockdown ? $"Lockdown: {p.Name}" : $"Evacuation: {p.Name}",
            p.Kind == LockdownKind.Lockdown
                ? "The building is in lockdown. Doors open for responders only; leaving is always possible. Follow staff instructions."
                : "Evacuate now by the nearest exit. Doors are released. Report to your assembly point."));
        return emergencies.Concat(messages.Where(m => m.IsVisibleAt(now))
            .Select(m => new MemberMessage(m.Id, m.PersonId is null ? AppMessageKind.Site : AppMessageKind.Personal, m.Title, m.Body))
            .Concat(rules.Where(r => r.Matches(person)).Select(r => new MemberMessage(r.Id, AppMessageKind.Automatic, r.Title, r.Body))))
            .ToList();
    }

    private static async Task<Results<Ok<MemberQrCredential>, ProblemHttpResult>> Qr(
        PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        await CurrentQrAsync(db, user, clock, ct) is { } credential ? TypedResults.Ok(credential) : NoQr();

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> QrPng(
        PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct) =>
        await CurrentQrAsync(db, user, clock, ct) is { } credential
            ? TypedResults.File(InviteIssuer.QrPng(credential.Value), "image/png")
            : NoQr();

    /// <summary>
    /// The member's newest usable barcode credential. Readers scan its number as a barcode, so the
    /// QR symbol is the number itself and every scan is decided like a card.
    /// </summary>
    private static async Task<MemberQrCredential?> CurrentQrAsync(PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var credentials = await db.Set<Credential>().AsNoTracking()
            .Where(c => c.PersonId == user.PersonId && c.Kind == CredentialKind.Barcode && !c.Revoked && c.Value != null)
            .OrderByDescending(c => c.CreatedAt).ToListAsync(ct);
        var usable = credentials.FirstOrDefault(c =>
            (c.ValidFrom is not { } from || from <= now) && (c.ValidUntil is not { } until || now < until) && (c.MaxUses is not { } max || c.UseCount < max));
        return usable is null ? null : new MemberQrCredential(usable.Id, usable.Value!, usable.Label, usable.ValidUntil?.ToDateTimeOffset());
    }

    private static ProblemHttpResult NoQr() =>
        Problems.Make(StatusCodes.Status404NotFound, "no_qr_credential", "You have no QR credential. Ask the front desk for one.");

    private static async Task<IReadOnlyList<MemberInviteType>> InviteTypes(PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var siteId = await db.Set<Person>().Where(p => p.Id == user.PersonId).Select(p => p.SiteId).FirstAsync(ct);
        return await db.Set<EntryType>().AsNoTracking().Where(e => e.SiteId == siteId && e.Active).OrderBy(e => e.Name)
            .Select(e => new MemberInviteType(e.Id, e.Name, e.ValidityMinutes)).ToListAsync(ct);
    }
}
