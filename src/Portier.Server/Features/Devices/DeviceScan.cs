using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// A scan a device sent that was decided: its attempt in the access log and the command that
/// answered it (none when the door was held open). Kept for <see cref="ScanRepeats.Window"/> so a
/// repeat of the scan is answered with that command instead of being decided again; the key makes a
/// second record of one scan impossible, on every node.
/// </summary>
public sealed class DeviceScan
{
    public Guid DeviceId { get; init; }
    public Guid ScanId { get; init; }
    public Instant At { get; init; }
    public Guid EventId { get; init; }
    public Guid? CommandId { get; init; }
}

internal sealed class DeviceScanConfiguration : IEntityTypeConfiguration<DeviceScan>
{
    public void Configure(EntityTypeBuilder<DeviceScan> b)
    {
        b.ToTable("device_scans");
        b.HasKey(s => new { s.DeviceId, s.ScanId });
        b.HasOne<Device>().WithMany().HasForeignKey(s => s.DeviceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => s.At);
    }
}

/// <summary>Records a decided scan with its access event, in the same commit.</summary>
public sealed record RememberScan(DeviceScan Scan) : IEventCompanion
{
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct) =>
        await db.AppendRowsAsync([.. ofThisType.Cast<RememberScan>().Select(r => r.Scan)], ct);
}
