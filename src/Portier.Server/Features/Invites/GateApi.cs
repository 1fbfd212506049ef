using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>
/// Gate validation (a Portier point of entry with an <c>access:validate</c> token), the inbound
/// validation endpoint for channels whose own gates ask Portier, and the visitor's link page.
/// </summary>
public static class GateApi
{
    public const string ChannelSecretHeader = "X-Portier-Channel-Secret";

    public static IEndpointRouteBuilder MapGateApi(this IEndpointRouteBuilder app)
    {
        app.MapModuleGroup(GateRoutes.Group, "Gate validation").MapPost(GateRoutes.Validate, Validate).RequirePermission(Permissions.AccessValidate);
        app.MapModuleGroup(ChannelsRoutes.Group, "Channels").MapPost(ChannelsRoutes.InboundValidate, ValidateInbound).AllowAnonymous();
        var visit = app.MapGroup("/visit").WithTags("Visitor link").AddEndpointFilter<ModuleEnabledFilter>();
        visit.MapGet("/{token}", VisitorPage).AllowAnonymous();
        visit.MapGet("/{token}/qr.png", VisitorQr).AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok<ValidateResponse>, ProblemHttpResult>> Validate(
        ValidateRequest request, PortierDbContext db, CurrentUser user, GateValidator validator, CancellationToken ct)
    {
        var door = await db.Set<Door>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == request.PointOfEntryId, ct);
        if (door is null) return Problems.NotFound("Point of entry");
        return await AnswerAsync(db, door, request, validator, ct);
    }

    /// <summary>
    /// For channels with inbound validation: their gate presents the channel's secret in
    /// <c>X-Portier-Channel-Secret</c> and may validate only at the sites the channel is linked to.
    /// </summary>
    private static async Task<Results<Ok<ValidateResponse>, ProblemHttpResult>> ValidateInbound(
        string code, ValidateRequest request, HttpContext http, PortierDbContext db, GateValidator validator, CancellationToken ct)
    {
        var unauthorized = Problems.Make(StatusCodes.Status401Unauthorized, "unauthorized", "A valid channel secret is required.");
        var channel = await db.Set<Channel>().AsNoTracking().FirstOrDefaultAsync(c => c.Code == code && c.Active, ct);
        var presented = http.Request.Headers[ChannelSecretHeader].ToString();
        if (channel?.InboundSecretHash is null || presented.Length is 0 or > 200
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(channel.InboundSecretHash), Encoding.ASCII.GetBytes(TokenSecrets.Hash(presented))))
            return unauthorized;
        var door = await db.Set<Door>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == request.PointOfEntryId, ct);
        if (door is null || !channel.SiteIds.Contains(door.SiteId)) return Problems.NotFound("Point of entry");
        return await AnswerAsync(db, door, request, validator, ct);
    }

    private static async Task<Results<Ok<ValidateResponse>, ProblemHttpResult>> AnswerAsync(
        PortierDbContext db, Door door, ValidateRequest request, GateValidator validator, CancellationToken ct) =>
        await validator.ValidateAsync(db, door, request, ct) is { } answer
            ? TypedResults.Ok(answer)
            : Problems.Make(StatusCodes.Status429TooManyRequests, "gate_locked_out",
                $"Too many wrong codes at this point of entry; its keypad is locked for {GateValidator.Lockout.TotalMinutes:0} minutes.");

    private static async Task<(Invite Invite, InviteContext Context, string Qr)?> VisitAsync(
        string token, PortierDbContext db, InviteIssuer issuer, TimeProvider clock, CancellationToken ct)
    {
        if (token.Length is 0 or > 100) return null;
        var hash = TokenSecrets.Hash(token);
        var now = clock.GetCurrentInstant();
        var invite = await db.Set<Invite>().AsNoTracking()
            .FirstOrDefaultAsync(i => i.LinkTokenHash == hash && (i.Status == InviteStatus.Pending || i.Status == InviteStatus.Accepted) && i.ValidUntil > now, ct);
        if (invite is null) return null;
        var qr = await issuer.LivePassAsync(db, invite, ct) ?? "";
        return (invite, await InviteIssuer.LoadAsync(db, invite, ct), qr);
    }

    /// <summary>The visitor's page: where and when, the QR pass to show at the gate. A dead or unknown link is a plain 404.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> VisitorPage(
        string token, PortierDbContext db, InviteIssuer issuer, TimeProvider clock, CancellationToken ct)
    {
        if (await VisitAsync(token, db, issuer, clock, ct) is not { } visit) return Problems.NotFound("Visit");
        var (invite, context, qr) = visit;
        var e = (Func<string?, string>)(s => WebUtility.HtmlEncode(s ?? ""));
        var qrBlock = qr.Length == 0 ? "<p>Your PIN or code was sent to you when the visit was issued.</p>"
            : $"<img src=\"data:image/png;base64,{Convert.ToBase64String(InviteIssuer.QrPng(qr))}\" alt=\"QR pass\" width=\"300\">"
              + $"<p><small>Pass: <code id=\"qr-pass\" data-qr=\"{e(qr)}\">{e(qr[..Math.Min(24, qr.Length)])}…</code></small></p>";
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>Your visit: {e(invite.Reference)}</title></head>
            <body>
            <h1>Visit to {e(context.SiteName)}</h1>
            <p>Reference <strong>{e(invite.Reference)}</strong> for {e(invite.VisitorName)}</p>
            <p>Valid {e(InviteIssuer.Window(context))}</p>
            {qrBlock}
            </body></html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> VisitorQr(
        string token, PortierDbContext db, InviteIssuer issuer, TimeProvider clock, CancellationToken ct) =>
        await VisitAsync(token, db, issuer, clock, ct) is { Qr.Length: > 0 } visit
            ? TypedResults.File(InviteIssuer.QrPng(visit.Qr), "image/png")
            : Problems.NotFound("Visit");
}
