using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Guessing;

namespace Portier.Server.Features.Guessing;

/// <summary>What a guessing counter counts: the attempts at one reader, at one site, or of one presented PIN or code.</summary>
public enum GuessScope { Reader, Site, Pin }

/// <summary>
/// One guessing counter as stored, so a back-off outlasts a restart. A PIN's counter is keyed by a
/// keyed hash of the value (<see cref="Credentials.PinHasher"/>), never the value itself.
/// </summary>
public sealed class GuessCounterRow
{
    /// <summary><c>reader:{doorId}</c>, <c>site:{siteId}</c> or <c>pin:{keyed hash}</c>.</summary>
    public required string Key { get; init; }
    public GuessScope Scope { get; init; }
    public Guid SiteId { get; init; }
    public int Failures { get; set; }
    public int Locks { get; set; }
    public Instant? LockedUntil { get; set; }
    public Instant? LastFailureAt { get; set; }

    public GuessCounter Counter => new(Failures, Locks, LockedUntil, LastFailureAt);

    public void Set(GuessCounter counter) =>
        (Failures, Locks, LockedUntil, LastFailureAt) = (counter.Failures, counter.Locks, counter.LockedUntil, counter.LastFailureAt);
}

internal sealed class GuessCounterRowConfiguration : IEntityTypeConfiguration<GuessCounterRow>
{
    public void Configure(EntityTypeBuilder<GuessCounterRow> b)
    {
        b.ToTable("guess_counters");
        b.HasKey(r => r.Key);
        b.Property(r => r.Key).HasMaxLength(80);
        b.Ignore(r => r.Counter);
        b.HasIndex(r => r.LastFailureAt);
    }
}
