using System.Text.Json;

namespace Portier.Simulator;

/// <summary>What pairing returned for one device: its MQTT login and where its broker is.</summary>
public sealed record DeviceCredentials(Guid DeviceId, string Password, string Host, int Port);

/// <summary>The simulator's devices, kept as a JSON array in a file (by default devices.json).</summary>
public static class DeviceFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<List<DeviceCredentials>> LoadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return [];
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<List<DeviceCredentials>>(stream, Json, ct) ?? [];
    }

    /// <summary>Adds the device, replacing an earlier entry for the same id.</summary>
    public static async Task SaveAsync(string path, DeviceCredentials device, CancellationToken ct)
    {
        var devices = await LoadAsync(path, ct);
        devices.RemoveAll(d => d.DeviceId == device.DeviceId);
        devices.Add(device);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(devices, Json), ct);
    }
}
