using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Portier.Simulator;

/// <summary>
/// A live client of the server's event hub: subscribes to one site and prints every event as it
/// arrives, the way a dashboard or a guard's screen would follow the site.
/// </summary>
public static class LiveWatch
{
    private static readonly string[] EventTypes =
    [
        "AccessGranted", "AccessDenied", "AccessOutcome", "DoorStateChanged", "DeviceStatusChanged",
        "TaskStatusChanged", "ZoneOccupancyChanged", "AlarmRaised", "AlarmCleared", "AlarmAcknowledged", "PlanningProgress", "ReplayGap",
    ];

    public static async Task<int> WatchAsync(Uri server, string token, Guid siteId, CancellationToken ct)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/events"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .WithAutomaticReconnect()
            .Build();
        foreach (var type in EventTypes) connection.On<JsonElement>(type, e => Print(type, e));
        try
        {
            await connection.StartAsync(ct);
            var subscribed = await connection.InvokeAsync<JsonElement>("Subscribe", new { siteId }, ct);
            Console.WriteLine($"Watching site {siteId} (last sequence {subscribed.GetProperty("lastSequence")}). Ctrl+C stops.");
        }
        catch (Exception e) when (e is HttpRequestException or HubException)
        {
            Console.Error.WriteLine($"Could not subscribe: {e.Message}");
            return 1;
        }
        try { await Task.Delay(Timeout.Infinite, ct); }
        catch (OperationCanceledException) { }
        return 0;
    }

    private static void Print(string type, JsonElement e)
    {
        var data = e.TryGetProperty("data", out var d) ? d : default;
        var summary = type switch
        {
            "AccessGranted" or "AccessDenied" => $"door {Text(data, "doorId")} person {Text(data, "personId")} {Text(data, "reason")} via {Text(data, "method")}",
            "AccessOutcome" => $"door {Text(data, "doorId")} {Text(data, "outcome")}",
            _ => data.ValueKind == JsonValueKind.Undefined ? "" : data.GetRawText(),
        };
        Console.WriteLine($"#{Text(e, "sequence")} {Text(e, "at")} {type} {summary}");
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? "-" : value.GetRawText()
            : "-";
}
