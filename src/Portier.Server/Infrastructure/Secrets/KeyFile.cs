using System.Security.Cryptography;
using System.Text;

namespace Portier.Server.Infrastructure.Secrets;

/// <summary>
/// A server secret kept outside the database: from configuration when set, else from a file in
/// the data folder created on first use (mode 600), so a stolen database alone is not enough.
/// </summary>
public static class KeyFile
{
    public const int KeyBytes = 32;

    public static byte[]? Decode(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var length) && length >= KeyBytes ? buffer[..length] : null;
    }

    /// <summary>
    /// HMAC-SHA256 of a fixed label under the key, lowercase hex: tells whether two nodes hold the same key
    /// while revealing nothing of it.
    /// </summary>
    public static string Fingerprint(byte[] key) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, "portier-shared-key-fingerprint"u8));

    /// <summary>The configured key (<paramref name="setting"/> names it in errors), else the file's, creating it when missing.</summary>
    public static byte[] Load(string? configured, string setting, string dataFolder, string fileName)
    {
        if (configured is not null)
            return Decode(configured) ?? throw new InvalidOperationException($"{setting} is not a valid key.");
        Directory.CreateDirectory(dataFolder);
        var path = Path.Combine(dataFolder, fileName);
        if (!File.Exists(path)) Create(path);
        return Decode(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"{path} does not hold a valid key; restore it from backup (secrets made under it cannot be checked otherwise).");
    }

    /// <summary>Writes a fresh key readable by the owner only; when another process wins the race, its key is kept.</summary>
    private static void Create(string path)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temporary, Encoding.ASCII, fileOptions))
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}
