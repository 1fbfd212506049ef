using Microsoft.EntityFrameworkCore;
using Portier.Core.Devices;
using Portier.Core.Policy;
using Portier.Server.Features.Devices;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Lockdowns;

/// <summary>
/// A controller's lockdown (or evacuation) button: starts every plan of that kind at the controller's
/// site that names the controller among its triggers. A plan already active stays as it is; the
/// start is recorded as made by the controller.
/// </summary>
public sealed partial class LockdownInputs(IServiceScopeFactory scopes, ILogger<LockdownInputs> logger) : IControllerInputHandler
{
    public async Task<InboundOutcome?> HandleAsync(Guid deviceId, InputMessage input, CancellationToken ct)
    {
        LockdownKind? kind = input.Input switch
        {
            InputMessage.Lockdown => LockdownKind.Lockdown,
            InputMessage.Evacuation => LockdownKind.Evacuation,
            _ => null,
        };
        if (kind is null) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var device = await db.Set<Device>().AsNoTracking().Where(d => d.Id == deviceId && d.State == DeviceState.Paired)
            .Select(d => new { d.SiteId, d.Name }).FirstOrDefaultAsync(ct);
        if (device is null) return InboundOutcome.UnknownDevice;
        var plans = (await db.Set<LockdownPlan>().Where(p => p.SiteId == device.SiteId && p.Kind == kind).ToListAsync(ct))
            .Where(p => p.TriggerDeviceIds.Contains(deviceId)).ToList();
        if (plans.Count == 0) LogNoPlan(logger, deviceId, input.Input);
        var control = scope.ServiceProvider.GetRequiredService<LockdownControl>();
        foreach (var plan in plans) await control.StartAsync(plan, $"controller:{device.Name}", ct);
        return InboundOutcome.Accepted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} sent input {Input}, but no plan names it as a trigger")]
    private static partial void LogNoPlan(ILogger logger, Guid deviceId, string input);
}
