using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Secrets;

/// <summary>
/// A server key (<see cref="KeyFile"/>) whose results other nodes must reproduce: a PIN hashed by one
/// node is looked up by another, a pass or bundle signed by one is checked against keys derived by another.
/// </summary>
public interface ISharedKey
{
    /// <summary>The setting that supplies the key (such as <c>Secrets:PinPepper</c>); also its name in the database.</summary>
    string Setting { get; }

    /// <summary>The key file in the data folder used when the setting is unset.</summary>
    string FileName { get; }

    /// <summary>The key's fingerprint (<see cref="KeyFile.Fingerprint"/>): the same on every node holding the same key.</summary>
    string Fingerprint();
}

/// <summary>The fingerprint of a shared key as first seen by a node of this database; the key itself is never stored.</summary>
public sealed class SharedKeyFingerprint
{
    public required string Setting { get; init; }
    public required string Fingerprint { get; init; }
    public Instant RecordedAt { get; init; }
}

internal sealed class SharedKeyFingerprintConfiguration : IEntityTypeConfiguration<SharedKeyFingerprint>
{
    public void Configure(EntityTypeBuilder<SharedKeyFingerprint> b)
    {
        b.ToTable("shared_key_fingerprints");
        b.HasKey(f => f.Setting);
        b.Property(f => f.Setting).HasMaxLength(64);
        b.Property(f => f.Fingerprint).HasMaxLength(64);
    }
}

public static class SharedKeyCheck
{
    /// <summary>
    /// Records each shared key's fingerprint on the first start of a database, and refuses to start a node
    /// whose key differs from the recorded one: its PINs, passes and bundles would not match the other nodes'.
    /// </summary>
    public static async Task CheckSharedKeysAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetCurrentInstant();
        foreach (var key in scope.ServiceProvider.GetServices<ISharedKey>())
        {
            var fingerprint = key.Fingerprint();
            // Nodes starting together: the first insert wins and every node compares with it.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO shared_key_fingerprints ("Setting", "Fingerprint", "RecordedAt") VALUES ({key.Setting}, {fingerprint}, {now.ToUnixTimeMilliseconds()})
                ON CONFLICT ("Setting") DO NOTHING
                """);
            var recorded = await db.Set<SharedKeyFingerprint>().AsNoTracking().SingleAsync(f => f.Setting == key.Setting);
            if (recorded.Fingerprint != fingerprint)
                throw new InvalidOperationException(
                    $"{key.Setting} on this node differs from the key this database has used since {recorded.RecordedAt} " +
                    $"(the fingerprints differ). Every node of one database needs the same key: set {key.Setting} " +
                    $"(environment variable {key.Setting.Replace(":", "__", StringComparison.Ordinal)}) to the same value on every node, " +
                    $"or, where it is unset, copy {key.FileName} from the data folder of the node that made it.");
        }
    }
}
