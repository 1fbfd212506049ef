using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>
/// A site's member app settings. App lock is facility-level only: after <see cref="AppLockMinutes"/>
/// of no use, a session must be re-verified with a new one-time code before it works again.
/// </summary>
public sealed class MemberAppSettings : IAudited, ISiteOwned
{
    public const int MinAppLockMinutes = 1;
    public const int MaxAppLockMinutes = 1440;

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    /// <summary>Null = app lock off.</summary>
    public int? AppLockMinutes { get; set; }
    public Instant UpdatedAt { get; set; }
}

public enum AppInvitationStatus { NotInvited, Invited, SendFailed }

/// <summary>The email that invites one person to the member app, and whether it went out.</summary>
public sealed class AppInvitation : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid PersonId { get; init; }
    public AppInvitationStatus Status { get; set; }
    public int SendCount { get; set; }
    public Instant? LastSentAt { get; set; }
    public string? LastError { get; set; }
    public Instant UpdatedAt { get; set; }
}

/// <summary>An announcement card on the member app's home: for the whole site, or for one person when <see cref="PersonId"/> is set.</summary>
public sealed class AppMessage : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid? PersonId { get; set; }
    public required string Title { get; set; }
    public string? Body { get; set; }
    /// <summary>Inclusive; null = from now on.</summary>
    public Instant? VisibleFrom { get; set; }
    /// <summary>Exclusive; null = until deleted.</summary>
    public Instant? VisibleUntil { get; set; }
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }

    public bool IsVisibleAt(Instant now) => (VisibleFrom is not { } from || from <= now) && (VisibleUntil is not { } until || now < until);
}

/// <summary>
/// A message set automatically: people whose person type, membership status and tags match see it
/// (each non-empty list must match one entry; the lists together must all match).
/// </summary>
public sealed class AppMessageRule : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public List<string> PersonTypes { get; set; } = [];
    public List<string> MembershipStatuses { get; set; } = [];
    /// <summary>Synced and custom tags both count.</summary>
    public List<string> Tags { get; set; } = [];
    public required string Title { get; set; }
    public string? Body { get; set; }
    public bool Active { get; set; } = true;
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }

    /// <summary>Comparisons ignore case, as people type "expired" and integrations send "Expired".</summary>
    public bool Matches(Person person) =>
        Active
        && (PersonTypes.Count == 0 || PersonTypes.Contains(person.PersonType, StringComparer.OrdinalIgnoreCase))
        && (MembershipStatuses.Count == 0 || (person.MembershipStatus is { } status && MembershipStatuses.Contains(status, StringComparer.OrdinalIgnoreCase)))
        && (Tags.Count == 0 || Tags.Any(t => person.SyncedTags.Concat(person.CustomTags).Contains(t, StringComparer.OrdinalIgnoreCase)));
}

internal sealed class MemberAppSettingsConfiguration : IEntityTypeConfiguration<MemberAppSettings>
{
    public void Configure(EntityTypeBuilder<MemberAppSettings> b)
    {
        b.ToTable("member_app_settings");
        b.HasOne<Site>().WithMany().HasForeignKey(s => s.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => s.SiteId).IsUnique();
    }
}

internal sealed class AppInvitationConfiguration : IEntityTypeConfiguration<AppInvitation>
{
    public void Configure(EntityTypeBuilder<AppInvitation> b)
    {
        b.ToTable("member_app_invitations");
        b.HasOne<Person>().WithMany().HasForeignKey(i => i.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(i => i.PersonId).IsUnique();
        b.HasIndex(i => new { i.SiteId, i.Status });
        b.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(i => i.LastError).HasMaxLength(500);
    }
}

internal sealed class AppMessageConfiguration : IEntityTypeConfiguration<AppMessage>
{
    public void Configure(EntityTypeBuilder<AppMessage> b)
    {
        b.ToTable("app_messages");
        b.HasOne<Site>().WithMany().HasForeignKey(m => m.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(m => new { m.SiteId, m.PersonId });
        b.Property(m => m.Title).HasMaxLength(AppMessageLimits.Title);
        b.Property(m => m.Body).HasMaxLength(AppMessageLimits.Body);
    }
}

internal sealed class AppMessageRuleConfiguration : IEntityTypeConfiguration<AppMessageRule>
{
    public void Configure(EntityTypeBuilder<AppMessageRule> b)
    {
        b.ToTable("app_message_rules");
        b.HasOne<Site>().WithMany().HasForeignKey(r => r.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => r.SiteId);
        b.Property(r => r.Name).HasMaxLength(200);
        b.Property(r => r.Title).HasMaxLength(AppMessageLimits.Title);
        b.Property(r => r.Body).HasMaxLength(AppMessageLimits.Body);
    }
}

public static class AppMessageLimits
{
    public const int Title = 120;
    public const int Body = 2000;
}
