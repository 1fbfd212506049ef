using System.Security.Cryptography;
using System.Text;
using Portier.Server.Features.Auth;

namespace Portier.Server.Tests.Auth;

/// <summary>The stored hash of a token is its SHA-256 in lowercase hex, whatever its length: tokens saved before stay valid.</summary>
public sealed class TokenSecretsTests
{
    [Fact]
    public void Hash_KnownInput_IsItsSha256InLowercaseHex() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", TokenSecrets.Hash("abc"));

    [Theory]
    [InlineData(0)]
    [InlineData(47)]
    [InlineData(200)]
    [InlineData(5000)]
    public void Hash_AnyLength_MatchesSha256OfItsUtf8(int length)
    {
        var token = TokenSecrets.Prefix + string.Concat(Enumerable.Repeat("é€x", length));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), TokenSecrets.Hash(token));
    }
}
