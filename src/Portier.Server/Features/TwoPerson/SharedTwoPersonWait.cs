using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;

namespace Portier.Server.Features.TwoPerson;

/// <summary>
/// The person waiting at a two-person door, as a row every node sharing the PostgreSQL database reads
/// (<see cref="TwoPersonWaits"/>); one row per door, replaced by each new wait and deleted when taken.
/// </summary>
public sealed class SharedTwoPersonWait
{
    public Guid DoorId { get; init; }
    public Guid PersonId { get; init; }
    public Instant Since { get; init; }
}

internal sealed class SharedTwoPersonWaitConfiguration : IEntityTypeConfiguration<SharedTwoPersonWait>
{
    public void Configure(EntityTypeBuilder<SharedTwoPersonWait> b)
    {
        b.ToTable("two_person_waits");
        b.HasKey(w => w.DoorId);
    }
}
