using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Core.Invites;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Email;
using Portier.Server.Infrastructure.Persistence;
using QRCoder;

namespace Portier.Server.Features.Invites;

public sealed class InviteOptions
{
    public const string Section = "Invites";

    /// <summary>Where visitors open their link: the page is <c>{PublicBaseUrl}/visit/{token}</c>.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>How often the expiry pass runs.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int ExpirySweepSeconds { get; set; } = 30;
}

/// <summary>An invite with everything its detail view and its actions need.</summary>
public sealed record InviteContext(Invite Invite, EntryType EntryType, Channel? Channel, string SiteName, string SiteTimeZone)
{
    public ChannelHandler Handler => ChannelHandlers.Find(Channel?.Handler) ?? ChannelHandlers.Default;

    public bool AwaitingApproval => EntryType.RequiresApproval && !Invite.Approved;
}

/// <summary>
/// Issues an invite's credentials (one record per method of its entry type), delivers them by
/// email with the QR inline, pushes them to an external channel, and revokes them.
/// </summary>
public sealed partial class InviteIssuer(
    PinHasher pins, QrPassSigner signer, EmailSender email, ChannelPusher pusher, IOptions<InviteOptions> options, TimeProvider clock,
    ILogger<InviteIssuer> logger)
{
    public const int PinDigits = 6;
    public const int OtpDigits = 8;

    public static async Task<InviteContext> LoadAsync(PortierDbContext db, Invite invite, CancellationToken ct)
    {
        var entryType = await db.Set<EntryType>().FirstAsync(e => e.Id == invite.EntryTypeId, ct);
        var channel = invite.ChannelId is { } channelId ? await db.Set<Channel>().FirstOrDefaultAsync(c => c.Id == channelId, ct) : null;
        var site = await db.Set<Site>().Where(s => s.Id == invite.SiteId).Select(s => new { s.Name, s.TimeZone }).FirstAsync(ct);
        return new InviteContext(invite, entryType, channel, site.Name, site.TimeZone);
    }

    /// <summary>Revokes whatever the invite had and issues fresh credentials; saves. The PIN and code leave only in the result.</summary>
    public async Task<IssuedCredentials> IssueAsync(PortierDbContext db, InviteContext context, bool notify, CancellationToken ct)
    {
        var invite = context.Invite;
        var now = clock.GetCurrentInstant();
        await RevokeAllAsync(db, invite, now, ct);
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        invite.OpenLink(TokenSecrets.Hash(token), now);
        var link = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/visit/{token}";

        string? pin = null, otp = null;
        (InviteCredential Record, Credential Credential)? qr = null;
        var minPin = await db.Set<Site>().Where(s => s.Id == invite.SiteId).Select(s => s.MinPinLength).FirstAsync(ct);
        foreach (var method in context.EntryType.Methods)
        {
            Credential? credential = null;
            switch (method)
            {
                case CredentialMethod.Pin:
                    (pin, credential) = await NewSecretAsync(db, invite, CredentialKind.Pin, Math.Max(PinDigits, minPin),
                        p => pins.Hash(invite.SiteId, p), context.EntryType.MaxUses, now, ct);
                    break;
                case CredentialMethod.Otp:
                    (otp, credential) = await NewSecretAsync(db, invite, CredentialKind.Otp, OtpDigits,
                        c => CredentialLookup.OtpKey(pins, invite.SiteId, c), 1, now, ct);
                    break;
                case CredentialMethod.Qr:
                    var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18));
                    credential = NewCredential(invite, CredentialKind.Qr, nonce, nonce, context.EntryType.MaxUses, now);
                    break;
            }
            if (credential is not null) db.Add(credential);
            var record = new InviteCredential
            {
                SiteId = invite.SiteId, InviteId = invite.Id, Method = method, CredentialId = credential?.Id,
                AllowedDoorIds = [.. context.EntryType.AllowedPointOfEntryIds], CreatedAt = now,
                Revealed = method is CredentialMethod.Pin or CredentialMethod.Otp, RevealedAt = method is CredentialMethod.Pin or CredentialMethod.Otp ? now : null,
            };
            db.Add(record);
            if (method == CredentialMethod.Qr) qr = (record, credential!);
        }
        await db.SaveChangesAsync(ct);

        var qrText = qr is { } q ? await QrTextAsync(db, invite, q.Record, q.Credential, ct) : null;
        var emailed = notify && invite.VisitorEmail is not null && await TrySendAsync(context, pin, otp, qrText, link, ct);
        invite.ChannelOutput = await pusher.PushAsync(context, "credentials.issued", context.Handler.Capabilities.SyncsPin ? pin : null, qrText, ct)
            ?? invite.ChannelOutput;
        await db.SaveChangesAsync(ct);
        return new IssuedCredentials(emailed ? null : pin, emailed ? null : otp, qrText, emailed, link);
    }

    /// <summary>Revokes every live credential of the invite (the records stay, marked revoked); the caller saves.</summary>
    public static async Task RevokeAllAsync(PortierDbContext db, Invite invite, Instant now, CancellationToken ct)
    {
        var records = await db.Set<InviteCredential>().Where(c => c.InviteId == invite.Id && !c.Revoked).ToListAsync(ct);
        var ids = records.Where(r => r.CredentialId != null).Select(r => r.CredentialId!.Value).ToList();
        foreach (var credential in await db.Set<Credential>().Where(c => ids.Contains(c.Id)).ToListAsync(ct)) credential.Revoke(now);
        foreach (var record in records) record.Revoked = true;
    }

    /// <summary>The invite's QR pass, signed with the site's current key. The same nonce, so a re-render is the same pass.</summary>
    public async Task<string> QrTextAsync(PortierDbContext db, Invite invite, InviteCredential record, Credential credential, CancellationToken ct)
    {
        var key = await signer.CurrentKeyAsync(db, invite.SiteId, clock.GetCurrentInstant(), ct);
        return signer.Sign(key, new QrPassPayload(1, invite.Reference, invite.Id, invite.SiteId, record.AllowedDoorIds,
            invite.ValidFrom.ToUnixTimeSeconds(), invite.ValidUntil.ToUnixTimeSeconds(), credential.Value!));
    }

    /// <summary>The pass of the invite's live QR credential, re-signed now; null when it has none.</summary>
    public async Task<string?> LivePassAsync(PortierDbContext db, Invite invite, CancellationToken ct)
    {
        var record = await db.Set<InviteCredential>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.InviteId == invite.Id && r.Method == CredentialMethod.Qr && !r.Revoked, ct);
        var credential = record?.CredentialId is { } id ? await db.Set<Credential>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) : null;
        return record is not null && credential is not null ? await QrTextAsync(db, invite, record, credential, ct) : null;
    }

    public static byte[] QrPng(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(8);
    }

    private static Credential NewCredential(Invite invite, CredentialKind kind, string? value, string activeKey, int? maxUses, Instant now) => new()
    {
        SiteId = invite.SiteId, PersonId = invite.VisitorPersonId, Kind = kind, Value = value, ActiveKey = activeKey,
        Label = $"Invite {invite.Reference}", ValidFrom = invite.ValidFrom, ValidUntil = invite.ValidUntil, MaxUses = maxUses, CreatedAt = now,
    };

    /// <summary>A random numeric secret whose keyed hash no active credential of the site uses yet (a keypad must tell them apart).</summary>
    private static async Task<(string Secret, Credential Credential)> NewSecretAsync(
        PortierDbContext db, Invite invite, CredentialKind kind, int digits, Func<string, string> key, int? maxUses, Instant now, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var secret = string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
            // A random draw is rarely 123456, but a PIN Portier hands out must never be one anyone would try first.
            if (kind == CredentialKind.Pin && CredentialValues.IsWeakPin(secret)) continue;
            var hash = key(secret);
            if (attempt < 20 && await db.Set<Credential>().AnyAsync(c => c.SiteId == invite.SiteId && c.Kind == kind && c.ActiveKey == hash, ct)) continue;
            return (secret, NewCredential(invite, kind, null, hash, maxUses, now));
        }
    }

    /// <summary>The visit's window as the site's clock reads it; a site with an unknown zone gets no mail (the secrets go back in the answer).</summary>
    public static string Window(InviteContext context)
    {
        var zone = SiteTimeZones.Resolve(context.SiteTimeZone);
        return string.Create(CultureInfo.InvariantCulture,
            $"{context.Invite.ValidFrom.InZone(zone):yyyy-MM-dd HH:mm} – {context.Invite.ValidUntil.InZone(zone):yyyy-MM-dd HH:mm} ({zone.Id})");
    }

    /// <summary>
    /// False when the mail could not be handed over: the secrets then go back in the issuing answer
    /// instead, so a mail outage never loses a PIN nobody can read again.
    /// </summary>
    private async Task<bool> TrySendAsync(InviteContext context, string? pin, string? otp, string? qr, string link, CancellationToken ct)
    {
        try
        {
            await SendAsync(context, pin, otp, qr, link, ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogMailFailed(logger, context.Invite.Reference, e);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not email the credentials of invite {Reference}")]
    private static partial void LogMailFailed(ILogger logger, string reference, Exception exception);

    private async Task SendAsync(InviteContext context, string? pin, string? otp, string? qr, string link, CancellationToken ct)
    {
        var invite = context.Invite;
        var window = Window(context);
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Hello {invite.VisitorName},")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"You are invited to {context.SiteName}. Reference: {invite.Reference}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Valid {window}.");
        if (pin is not null) text.AppendLine(CultureInfo.InvariantCulture, $"Your PIN: {pin}");
        if (otp is not null) text.AppendLine(CultureInfo.InvariantCulture, $"Your one-time code: {otp}");
        if (qr is not null) text.AppendLine("Show the QR code in this message at the gate.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Your visitor page: {link}");
        var html = $"<p>{WebUtility.HtmlEncode(text.ToString()).Replace("\n", "<br>", StringComparison.Ordinal)}</p>"
            + (qr is null ? "" : "<p><img src=\"cid:qr-pass\" alt=\"QR pass\"></p>");
        var attachments = qr is null ? null : new[] { new EmailAttachment("qr-pass.png", "image/png", QrPng(qr), "qr-pass") };
        await email.SendAsync(new EmailMessage(invite.VisitorEmail!, $"Your visit to {context.SiteName}: {invite.Reference}", text.ToString(), html, attachments), ct);
    }
}
