using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Features.People;
using Portier.Server.Features.Rules;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Grants;

/// <summary>
/// Explicit access for one person: site-wide, to doors, or to scopes; optionally within its own
/// weekly hours and a validity window [ValidFrom, ValidUntil).
/// </summary>
public sealed class Grant : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid PersonId { get; init; }
    public bool SiteWide { get; set; }
    public List<Guid> DoorIds { get; set; } = [];
    public List<Guid> ScopeIds { get; set; } = [];
    /// <summary>Empty means the grant is not limited by hours.</summary>
    public List<TimeBlockData> Hours { get; set; } = [];
    public Instant? ValidFrom { get; set; }
    public Instant? ValidUntil { get; set; }
    public string? Note { get; set; }
    /// <summary>Whether holiday calendars apply to this grant (default). Off, it opens on closed days and keeps its own hours on special-hours days.</summary>
    public bool HolidaysApply { get; set; } = true;
    public Instant CreatedAt { get; init; }
}

internal sealed class GrantConfiguration : IEntityTypeConfiguration<Grant>
{
    public void Configure(EntityTypeBuilder<Grant> b)
    {
        b.ToTable("grants");
        b.HasOne<Person>().WithMany().HasForeignKey(g => g.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(g => new { g.SiteId, g.PersonId });
        b.Property(g => g.Hours).HasJsonConversion();
        b.Property(g => g.Note).HasMaxLength(500);
        b.Property(g => g.HolidaysApply).HasDefaultValue(true).HasSentinel(true);
    }
}
