using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Text.Json;
using Portier.Core.Devices;

namespace Portier.Core.Bundles;

/// <summary>
/// A bundle on the wire (the payload of <c>portier/devices/{id}/bundle</c>): the 64-byte Ed25519
/// signature, then the gzip of the body's UTF-8 JSON. The signature covers the gzip bytes exactly
/// as sent, so nothing has to be re-encoded to check it.
/// </summary>
public static class BundleCodec
{
    /// <summary>Refuses bodies that inflate beyond this: a bundle for 100,000 people stays well below it.</summary>
    public const int MaxBodyBytes = 64 * 1024 * 1024;

    /// <summary>The device protocol's own JSON rules: camelCase, nulls left out, required fields and nullability enforced.</summary>
    public static JsonSerializerOptions Json => DeviceProtocol.Json;

    public static byte[] Encode(BundleBody body, ReadOnlySpan<byte> signingSeed)
    {
        var compressed = Compress(JsonSerializer.SerializeToUtf8Bytes(body, Json));
        var signature = BundleSigning.Sign(signingSeed, compressed);
        var payload = new byte[signature.Length + compressed.Length];
        signature.CopyTo(payload, 0);
        compressed.CopyTo(payload, signature.Length);
        return payload;
    }

    /// <summary>Checks the signature against the site's key, then reads the body; the error is a short reason for the log.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> sitePublicKey, [NotNullWhen(true)] out BundleBody? body, out string error)
    {
        body = null;
        if (payload.Length <= BundleSigning.SignatureBytes)
        {
            error = "bundle too short to carry a signature";
            return false;
        }
        var signature = payload[..BundleSigning.SignatureBytes];
        var compressed = payload[BundleSigning.SignatureBytes..];
        if (!BundleSigning.Verify(sitePublicKey, compressed, signature))
        {
            error = "signature does not verify with the site's key";
            return false;
        }
        try
        {
            body = JsonSerializer.Deserialize<BundleBody>(Decompress(compressed), Json);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            error = $"unreadable body: {e.Message}";
            return false;
        }
        if (body is null)
        {
            error = "empty body";
            return false;
        }
        error = "";
        return true;
    }

    private static byte[] Compress(byte[] json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(json);
        return output.ToArray();
    }

    private static byte[] Decompress(ReadOnlySpan<byte> compressed)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = gzip.Read(buffer)) > 0)
        {
            if (output.Length + read > MaxBodyBytes) throw new InvalidDataException($"body inflates beyond {MaxBodyBytes} bytes");
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
    }
}
