using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Scopes;

/// <summary>A named set of doors (a door may be in many), for grants and scope-level overrides.</summary>
public sealed class AccessScope : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public List<Guid> DoorIds { get; set; } = [];
    public AccessRulesData? RuleOverride { get; set; }
    public GeofenceData? GeofenceOverride { get; set; }
    /// <summary>Whether holiday calendars apply to the scope's doors (default). Off, every door of the scope is exempt, as with the door's own switch.</summary>
    public bool HolidaysApply { get; set; } = true;
    /// <summary>Qualifications a person must hold to open any door of the scope.</summary>
    public List<Guid> RequiredQualificationIds { get; set; } = [];
}

internal sealed class AccessScopeConfiguration : IEntityTypeConfiguration<AccessScope>
{
    public void Configure(EntityTypeBuilder<AccessScope> b)
    {
        b.ToTable("access_scopes");
        b.HasOne<Site>().WithMany().HasForeignKey(s => s.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(s => new { s.SiteId, s.Name }).IsUnique();
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.RuleOverride).HasJsonConversion();
        b.Property(s => s.GeofenceOverride).HasJsonConversion();
        b.Property(s => s.HolidaysApply).HasDefaultValue(true).HasSentinel(true);
    }
}
