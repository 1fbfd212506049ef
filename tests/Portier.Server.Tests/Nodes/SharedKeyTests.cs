using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Infrastructure.Secrets;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Nodes;

/// <summary>
/// Keys every node must share are checked against the fingerprints the database recorded at its first
/// start: a node with another key refuses to start and names the setting; one with the same key starts.
/// </summary>
public sealed class SharedKeyTests
{
    private static Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder> WithPepper(string pepper) =>
        PortierServer.WithSettings(new Dictionary<string, string?> { ["Secrets:PinPepper"] = pepper });

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData(DatabaseKind.Postgres)]
    [InlineData(DatabaseKind.Sqlite)]
    public async Task SecondNode_WithAnotherPinPepper_RefusesToStartNamingTheSetting_WithTheSameOneStarts(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        var pepper = NewKey();
        await using var first = new PortierServer(database, WithPepper(pepper), ownsDatabase: false);
        _ = first.Server;

        await using (var other = new PortierServer(database, WithPepper(NewKey()), ownsDatabase: false))
        {
            var refusal = Assert.ThrowsAny<Exception>(() => other.Server);
            Assert.Contains("Secrets:PinPepper on this node differs", refusal.ToString(), StringComparison.Ordinal);
        }

        await using var same = new PortierServer(database, WithPepper(pepper), ownsDatabase: false);
        _ = same.Server;
        var fingerprints = await same.QueryAsync(db => db.Set<SharedKeyFingerprint>().ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["Secrets:BundleSecret", "Secrets:ChannelInboundKey", "Secrets:PinPepper", "Secrets:QrSigningKey"],
            fingerprints.Select(f => f.Setting).Order(StringComparer.Ordinal));
        // Only a fingerprint is stored, never the key.
        var stored = Assert.Single(fingerprints, f => f.Setting == "Secrets:PinPepper");
        Assert.Equal(KeyFile.Fingerprint(Convert.FromBase64String(pepper)), stored.Fingerprint);
        Assert.DoesNotContain(fingerprints, f => f.Fingerprint.Contains(pepper, StringComparison.Ordinal));
    }
}
