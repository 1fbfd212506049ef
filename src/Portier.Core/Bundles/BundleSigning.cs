using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Portier.Core.Bundles;

/// <summary>
/// Ed25519 over the exact bytes a controller receives, so firmware verifies without canonicalising
/// anything. A site's key pair comes from a 32-byte seed; controllers learn the public key at pairing.
/// </summary>
public static class BundleSigning
{
    public const int SeedBytes = 32;
    public const int PublicKeyBytes = 32;
    public const int SignatureBytes = 64;

    public static byte[] PublicKeyOf(ReadOnlySpan<byte> seed) =>
        new Ed25519PrivateKeyParameters(RequireLength(seed, SeedBytes, "seed")).GeneratePublicKey().GetEncoded();

    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        var signer = new Ed25519Signer();
        signer.Init(forSigning: true, new Ed25519PrivateKeyParameters(RequireLength(seed, SeedBytes, "seed")));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    /// <summary>False for a wrong signature, a wrong key, or a key or signature of the wrong length.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyBytes || signature.Length != SignatureBytes) return false;
        var verifier = new Ed25519Signer();
        verifier.Init(forSigning: false, new Ed25519PublicKeyParameters(publicKey));
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature.ToArray());
    }

    private static byte[] RequireLength(ReadOnlySpan<byte> value, int length, string name) =>
        value.Length == length ? value.ToArray() : throw new ArgumentException($"An Ed25519 {name} is {length} bytes.", name);
}
