using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Portier.Server.Features.Audit;

/// <summary>
/// One change made through the API: who, what, when, and the values before and after. Entries are
/// only ever appended, each linked into the one audit chain (<see cref="AuditChain"/>).
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Instant At { get; init; }
    public required string Actor { get; init; }
    public Guid? SiteId { get; init; }
    public required string Action { get; init; }
    public required string EntityType { get; init; }
    public Guid EntityId { get; init; }
    public string? Before { get; init; }
    public string? After { get; init; }
    /// <summary>Position in the audit chain, from 1; null only on entries written before the trail was chained.</summary>
    public long? Sequence { get; internal set; }
    /// <summary>SHA-256 (hex) over this entry's canonical fields and the previous entry's hash; null when <see cref="Sequence"/> is.</summary>
    public string? Hash { get; internal set; }
}

/// <summary>Marks an entity whose changes are recorded in the audit trail.</summary>
public interface IAudited
{
    Guid Id { get; }
}

/// <summary>A property never written to the audit trail (hashes, keys).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.HasIndex(a => a.At);
        b.HasIndex(a => new { a.EntityType, a.EntityId });
        b.Property(a => a.Actor).HasMaxLength(320);
        b.Property(a => a.Action).HasMaxLength(16);
        b.Property(a => a.EntityType).HasMaxLength(64);
        // One chain: a second writer racing on it fails instead of forking it.
        b.HasIndex(a => a.Sequence).IsUnique();
        b.Property(a => a.Hash).HasMaxLength(64);
    }
}
