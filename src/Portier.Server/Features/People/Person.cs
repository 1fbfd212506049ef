using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.People;

/// <summary>Anyone who may pass at a site: member, staff, attendee, visitor, contractor.</summary>
public sealed class Person : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    /// <summary>The id in the member system that syncs this person; unique per site.</summary>
    public string? ExternalId { get; set; }
    public required string PersonType { get; set; }
    public string? MembershipStatus { get; set; }
    /// <summary>Replaced on every integration sync.</summary>
    public List<string> SyncedTags { get; set; } = [];
    /// <summary>Owned by admins; a sync never touches them.</summary>
    public List<string> CustomTags { get; set; } = [];
    /// <summary>The kill switch: off denies every door.</summary>
    public bool AccessEnabled { get; set; } = true;
    public bool Blocklisted { get; set; }
    public PersonSource Source { get; set; } = PersonSource.Manual;
    /// <summary>Off = decoupled: sync passes skip this person so admin edits stay.</summary>
    public bool TrackSource { get; set; } = true;
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.ToTable("people");
        b.HasOne<Site>().WithMany().HasForeignKey(p => p.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(p => new { p.SiteId, p.ExternalId }).IsUnique();
        b.HasIndex(p => new { p.SiteId, p.Name });
        b.HasIndex(p => new { p.SiteId, p.Email });
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.Email).HasMaxLength(320);
        b.Property(p => p.Phone).HasMaxLength(40);
        b.Property(p => p.ExternalId).HasMaxLength(200);
        b.Property(p => p.PersonType).HasMaxLength(100);
        b.Property(p => p.MembershipStatus).HasMaxLength(100);
    }
}
