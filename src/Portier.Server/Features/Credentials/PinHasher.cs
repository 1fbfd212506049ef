using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Secrets;

namespace Portier.Server.Features.Credentials;

public sealed class PinPepperOptions : IValidatableObject
{
    public const string Section = "Secrets";

    /// <summary>Base64 of at least 32 random bytes. When unset, a key file in the data folder is used.</summary>
    public string? PinPepper { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PinPepper is not null && PinHasher.DecodeKey(PinPepper) is null)
            yield return new ValidationResult($"Secrets:PinPepper must be base64 of at least {PinHasher.KeyBytes} bytes.", [nameof(PinPepper)]);
    }
}

/// <summary>
/// PINs are short, so a plain hash of one is reversed by trying every PIN. Portier stores
/// HMAC-SHA256(pepper, siteId + ":" + pin) instead, with a pepper kept outside the database
/// (configuration <c>Secrets:PinPepper</c>, else the file <c>pin-pepper.key</c> in the data folder,
/// created on first use with mode 600): a stolen database alone cannot be brute-forced offline.
/// The hash is deterministic, so a keypad entry is looked up with one indexed read, and the site
/// in the input makes the same PIN hash differently at each site.
/// </summary>
public sealed class PinHasher(IOptions<PinPepperOptions> options, IOptions<DatabaseOptions> database) : ISharedKey
{
    public const string KeyFileName = "pin-pepper.key";
    private const string KeySetting = "Secrets:PinPepper";
    public const int KeyBytes = KeyFile.KeyBytes;

    private readonly Lazy<byte[]> _pepper = new(() => LoadPepper(options.Value.PinPepper, database.Value.DataFolder));

    public string Hash(Guid siteId, string pin) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_pepper.Value, Encoding.UTF8.GetBytes($"{siteId:D}:{pin}")));

    public string Setting => KeySetting;

    public string FileName => KeyFileName;

    public string Fingerprint() => KeyFile.Fingerprint(_pepper.Value);

    internal static byte[]? DecodeKey(string text) => KeyFile.Decode(text);

    private static byte[] LoadPepper(string? configured, string dataFolder) =>
        KeyFile.Load(configured, KeySetting, dataFolder, KeyFileName);
}

public static class CredentialServices
{
    public static IServiceCollection AddPortierCredentials(this IServiceCollection services)
    {
        services.AddOptions<PinPepperOptions>().BindConfiguration(PinPepperOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PinHasher>();
        services.AddSingleton<ISharedKey>(sp => sp.GetRequiredService<PinHasher>());
        return services;
    }
}
