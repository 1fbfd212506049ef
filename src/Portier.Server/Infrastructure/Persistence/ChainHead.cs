using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The newest link of one hash chain (<see cref="Chain"/>, per <see cref="ScopeId"/>: a site, or
/// <see cref="Guid.Empty"/> for a chain over everything), kept apart from the chained rows and
/// moved in the same transaction as each append. Rows deleted from the end of a chain leave the head
/// pointing past them, so a missing tail is as visible as a broken link. On PostgreSQL the server's
/// role may only move a head forward (see the access log's hardening script).
/// </summary>
public sealed class ChainHead
{
    public required string Chain { get; init; }
    public Guid ScopeId { get; init; }
    /// <summary>The sequence of the newest row, from 1.</summary>
    public long Sequence { get; init; }
    /// <summary>That row's hash (SHA-256, lowercase hex).</summary>
    public required string Hash { get; init; }
}

internal sealed class ChainHeadConfiguration : IEntityTypeConfiguration<ChainHead>
{
    public void Configure(EntityTypeBuilder<ChainHead> b)
    {
        b.ToTable("chain_heads");
        b.HasKey(h => new { h.Chain, h.ScopeId });
        b.Property(h => h.Chain).HasMaxLength(32);
        b.Property(h => h.Hash).HasMaxLength(64);
    }
}
