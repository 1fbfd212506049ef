using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Portier.Core.Bundles;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Secrets;

namespace Portier.Server.Features.Bundles;

public sealed class BundleSecretOptions : IValidatableObject
{
    public const string Section = "Secrets";

    /// <summary>Base64 of at least 32 random bytes. When unset, a key file in the data folder is used.</summary>
    public string? BundleSecret { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BundleSecret is not null && KeyFile.Decode(BundleSecret) is null)
            yield return new ValidationResult($"Secrets:BundleSecret must be base64 of at least {KeyFile.KeyBytes} bytes.", [nameof(BundleSecret)]);
    }
}

/// <summary>
/// A site's two bundle keys, both derived from one installation secret kept outside the database
/// (configuration <c>Secrets:BundleSecret</c>, else the file <c>bundle-secret.key</c> in the data folder,
/// created on first use with mode 600): HMAC-SHA256(secret, "bundle-signing:" + siteId) is the Ed25519
/// seed that signs the site's bundles, HMAC-SHA256(secret, "bundle-credentials:" + siteId) the key
/// credentials are hashed under. Nodes sharing the secret agree on every site's keys without storing them.
/// Neither key is ever logged.
/// </summary>
public sealed class BundleKeys(IOptions<BundleSecretOptions> options, IOptions<DatabaseOptions> database) : ISharedKey
{
    public const string KeyFileName = "bundle-secret.key";
    private const string KeySetting = "Secrets:BundleSecret";

    private readonly Lazy<byte[]> _secret = new(() =>
        KeyFile.Load(options.Value.BundleSecret, KeySetting, database.Value.DataFolder, KeyFileName));

    public string Setting => KeySetting;

    public string FileName => KeyFileName;

    public string Fingerprint() => KeyFile.Fingerprint(_secret.Value);

    public byte[] SigningSeed(Guid siteId) => Derive("bundle-signing:", siteId);

    public byte[] PublicKey(Guid siteId) => BundleSigning.PublicKeyOf(SigningSeed(siteId));

    public byte[] CredentialKey(Guid siteId) => Derive("bundle-credentials:", siteId);

    private byte[] Derive(string purpose, Guid siteId) =>
        HMACSHA256.HashData(_secret.Value, Encoding.UTF8.GetBytes(purpose + siteId.ToString("D")));
}
