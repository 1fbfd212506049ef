using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
    public static IEndpointRouteBuilder MapGateApi(this IEndpointRouteBuilder app)
    {
        app.MapModuleGroup(GateRoutes.Group, "Gate validation").MapPost(GateRoutes.Validate, Validate).RequirePermission(Permissions.AccessValidate);
        app.MapModuleGroup(ChannelsRoutes.Group, "Channels").MapPost(ChannelsRoutes.InboundValidate, ValidateInbound).AllowAnonymous()
            .Accepts<ValidateRequest>("application/json");
        var visit = app.MapGroup("/visit").WithTags("Visitor link").AddEndpointFilter<ModuleEnabledFilter>();
        visit.MapGet("/{token}", VisitorPage).AllowAnonymous();
        visit.MapGet("/{token}/qr.png", VisitorQr).AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok<ValidateResponse>, ProblemHttpResult>> Validate(
        ValidateRequest request, HttpContext http, PortierDbContext db, CurrentUser user, GateValidator validator, CancellationToken ct)
    {
        var door = await db.Set<Door>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == request.PointOfEntryId, ct);
        if (door is null) return Problems.NotFound("Point of entry");
        return await AnswerAsync(http, db, door, request, validator, ct);
    }

    /// <summary>
    /// For channels with inbound validation: their gate signs each call with the channel's inbound
    /// secret (Standard Webhooks headers, a fresh <c>webhook-id</c> each time, a timestamp within
    /// five minutes) and may validate only at the sites the channel is linked to. The body is read
    /// raw, since the signature covers its exact bytes, and parsed only once the signature holds.
    /// </summary>
    private static async Task<Results<Ok<ValidateResponse>, ValidationProblem, ProblemHttpResult>> ValidateInbound(
        string code, HttpRequest http, PortierDbContext db, GateValidator validator, ChannelInboundSigning signing,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        var channel = await db.Set<Channel>().AsNoTracking().FirstOrDefaultAsync(c => c.Code == code && c.Active, ct);
        var body = await ReadBodyAsync(http, ct);
        var refusal = channel is null || body is null ? InboundRefusal.BadSignature : await signing.CheckAsync(db, channel, http.Headers, body, ct);
        switch (refusal)
        {
            case InboundRefusal.None:
                break;
            case InboundRefusal.BadSignature:
                return Problems.Make(StatusCodes.Status401Unauthorized, "unauthorized", "A valid signature with the channel's inbound secret is required.");
            case InboundRefusal.OutsideWindow:
                return Problems.Make(StatusCodes.Status401Unauthorized, "timestamp_outside_window",
                    "The webhook-timestamp is more than five minutes away from the server's clock.");
            case InboundRefusal.Replayed:
                return Problems.Conflict("message_replayed", "This webhook-id was already used; sign every call with a new one.");
            default:
                throw new System.Diagnostics.UnreachableException();
        }
        ValidateRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ValidateRequest>(body, json.Value.SerializerOptions);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request is null) return Problems.BadRequest("bad_request", "The body is not a validation request.");
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (errors.Any) return Problems.Validation(errors.ToDictionary());
        var door = await db.Set<Door>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == request.PointOfEntryId, ct);
        if (door is null || !channel!.SiteIds.Contains(door.SiteId)) return Problems.NotFound("Point of entry");
        return await AnswerAsync(http.HttpContext, db, door, request, validator, ct) switch
        {
            { Result: Ok<ValidateResponse> ok } => ok,
            { Result: ProblemHttpResult problem } => problem,
            _ => throw new System.Diagnostics.UnreachableException(),
        };
    }

    /// <summary>The raw body, or null when it is larger than a validation request can be.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest http, CancellationToken ct)
    {
        const int limit = 16 * 1024;
        if (http.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>A backed-off gate answers 429 with Retry-After (seconds); the refused attempt is in the access log all the same.</summary>
    private static async Task<Results<Ok<ValidateResponse>, ProblemHttpResult>> AnswerAsync(
        HttpContext http, PortierDbContext db, Door door, ValidateRequest request, GateValidator validator, CancellationToken ct)
    {
        var validation = await validator.ValidateAsync(db, door, request, ct);
        if (validation.Answer is { } answer) return TypedResults.Ok(answer);
        var seconds = (long)Math.Ceiling(validation.LockedFor.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Make(StatusCodes.Status429TooManyRequests, "gate_locked_out",
            $"Too many wrong codes at this point of entry; it accepts codes again in {seconds} s.");
    }

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
