using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using NSec.Cryptography;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Secrets;

namespace Portier.Server.Features.Invites;

public sealed class QrSigningOptions : IValidatableObject
{
    public const string Section = "Secrets";

    /// <summary>Base64 of at least 32 random bytes; when unset, the file <c>qr-signing.key</c> in the data folder.</summary>
    public string? QrSigningKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (QrSigningKey is not null && KeyFile.Decode(QrSigningKey) is null)
            yield return new ValidationResult($"Secrets:QrSigningKey must be base64 of at least {KeyFile.KeyBytes} bytes.", [nameof(QrSigningKey)]);
    }
}

/// <summary>What a signed pass carries. Times are Unix seconds; <see cref="NotBefore"/> inclusive, <see cref="Expires"/> exclusive.</summary>
public sealed record QrPassPayload(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("ref")] string Reference,
    [property: JsonPropertyName("inv")] Guid InviteId,
    [property: JsonPropertyName("site")] Guid SiteId,
    [property: JsonPropertyName("doors")] IReadOnlyList<Guid> DoorIds,
    [property: JsonPropertyName("nbf")] long NotBefore,
    [property: JsonPropertyName("exp")] long Expires,
    [property: JsonPropertyName("n")] string Nonce);

internal sealed record QrPassHeader(
    [property: JsonPropertyName("alg")] string? Algorithm,
    [property: JsonPropertyName("kid")] string? KeyId,
    [property: JsonPropertyName("typ")] string? Type);

/// <summary>Why a presented pass was refused, before any of its fields were trusted.</summary>
public enum QrRefusal { None, Malformed, UnsupportedAlgorithm, UnknownKey, BadSignature, WrongSite, NotYetValid, Expired, DoorNotListed }

/// <summary>
/// Signed QR passes: <c>base64url(header).base64url(payload).base64url(signature)</c>, an Ed25519
/// signature (alg <c>EdDSA</c>) over the first two parts. Each site has its own keys, named by a
/// key id in the header; gates verify offline with the public keys. Private keys are never stored:
/// each is derived from a server key kept outside the database and the key id.
/// </summary>
public sealed class QrPassSigner(IOptions<QrSigningOptions> options, IOptions<DatabaseOptions> database) : ISharedKey
{
    public const string Algorithm = "EdDSA";
    public const string PassType = "portier-pass";
    public const int MaxLength = 4096;
    private const string KeyFileName = "qr-signing.key";
    private const string KeySetting = "Secrets:QrSigningKey";

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lazy<byte[]> _master = new(() =>
        KeyFile.Load(options.Value.QrSigningKey, KeySetting, database.Value.DataFolder, KeyFileName));

    public string Setting => KeySetting;

    public string FileName => KeyFileName;

    public string Fingerprint() => KeyFile.Fingerprint(_master.Value);

    /// <summary>The site's newest key that is not retired, created on first use.</summary>
    public async Task<QrSigningKey> CurrentKeyAsync(PortierDbContext db, Guid siteId, Instant now, CancellationToken ct) =>
        await db.Set<QrSigningKey>().Where(k => k.SiteId == siteId && k.RetiredAt == null)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).FirstOrDefaultAsync(ct)
        ?? await RotateAsync(db, siteId, now, ct);

    /// <summary>Adds a new signing key for the site; older keys keep verifying until retired.</summary>
    public async Task<QrSigningKey> RotateAsync(PortierDbContext db, Guid siteId, Instant now, CancellationToken ct)
    {
        var keyId = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var key = Derive(siteId, keyId);
        var row = new QrSigningKey
        {
            SiteId = siteId, KeyId = keyId, CreatedAt = now,
            PublicKey = Base64Url.EncodeToString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
        };
        db.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    public string Sign(QrSigningKey signingKey, QrPassPayload payload)
    {
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new QrPassHeader(Algorithm, signingKey.KeyId, PassType), Json));
        var body = Encode(JsonSerializer.SerializeToUtf8Bytes(payload, Json));
        var signed = $"{header}.{body}";
        using var key = Derive(signingKey.SiteId, signingKey.KeyId);
        return $"{signed}.{Encode(Ed25519.Sign(key, Encoding.ASCII.GetBytes(signed)))}";
    }

    /// <summary>
    /// Verifies a pass presented at a point of entry of <paramref name="siteId"/>. The header only
    /// picks the key: its algorithm must be EdDSA and its key id one of this site's live keys. No
    /// payload field is read until the signature checks out.
    /// </summary>
    public static (QrPassPayload? Pass, QrRefusal Refusal) Verify(
        string token, IReadOnlyList<QrSigningKey> siteKeys, Guid siteId, Guid doorId, Instant now)
    {
        if (token.Length > MaxLength) return (null, QrRefusal.Malformed);
        var parts = token.Trim().Split('.');
        if (parts.Length != 3 || !TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[2], out var signature))
            return (null, QrRefusal.Malformed);
        QrPassHeader? header;
        try { header = JsonSerializer.Deserialize<QrPassHeader>(headerBytes, Json); }
        catch (JsonException) { return (null, QrRefusal.Malformed); }
        if (header?.Algorithm != Algorithm) return (null, QrRefusal.UnsupportedAlgorithm);
        var key = siteKeys.FirstOrDefault(k => k.SiteId == siteId && k.RetiredAt is null && k.KeyId == header.KeyId);
        if (key is null) return (null, QrRefusal.UnknownKey);
        var publicKey = PublicKey.Import(Ed25519, Base64Url.DecodeFromChars(key.PublicKey), KeyBlobFormat.RawPublicKey);
        if (!Ed25519.Verify(publicKey, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature))
            return (null, QrRefusal.BadSignature);

        QrPassPayload? pass;
        try { pass = TryDecode(parts[1], out var body) ? JsonSerializer.Deserialize<QrPassPayload>(body, Json) : null; }
        catch (JsonException) { pass = null; }
        if (pass is null || pass.Version != 1 || pass.DoorIds is null || string.IsNullOrEmpty(pass.Nonce)) return (null, QrRefusal.Malformed);
        if (pass.SiteId != siteId) return (null, QrRefusal.WrongSite);
        var seconds = now.ToUnixTimeSeconds();
        if (seconds < pass.NotBefore) return (null, QrRefusal.NotYetValid);
        if (seconds >= pass.Expires) return (null, QrRefusal.Expired);
        if (pass.DoorIds.Count > 0 && !pass.DoorIds.Contains(doorId)) return (null, QrRefusal.DoorNotListed);
        return (pass, QrRefusal.None);
    }

    private Key Derive(Guid siteId, string keyId)
    {
        var seed = HMACSHA256.HashData(_master.Value, Encoding.UTF8.GetBytes($"qr-pass:{siteId:D}:{keyId}"));
        return Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey);
    }

    private static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (text.Length == 0 || Base64Url.DecodeFromChars(text, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != text.Length)
            return false;
        bytes = bytes[..written];
        return true;
    }
}
