using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Portier.Server.Infrastructure.Mqtt;

namespace Portier.Server.Infrastructure.Hosting;

/// <summary>
/// Before the host starts: a port another process holds (a second Portier on the same machine, a
/// Mosquitto on 1883) ends the start with one line naming the address and the setting that moves it,
/// rather than a socket exception's stack trace from deep inside the broker or Kestrel.
/// </summary>
public static class ListenPorts
{
    /// <summary>False, after writing the line to <paramref name="error"/>, when an address the server would listen on is taken.</summary>
    public static bool EnsureFree(WebApplication app, TextWriter error)
    {
        foreach (var (endpoint, setting) in Wanted(app))
        {
            if (CanListen(endpoint)) continue;
            error.WriteLine($"Portier cannot start: {endpoint} is already in use (another Portier, or another program); stop it or set {setting} to a free port.");
            return false;
        }
        return true;
    }

    private static IEnumerable<(IPEndPoint Endpoint, string Setting)> Wanted(WebApplication app)
    {
        // Only for Kestrel, the server that listens on sockets: an in-memory host (as tests run several at once,
        // all configured with the same Urls) binds no HTTP port, and its broker's port was picked free a moment before.
        if (app.Services.GetRequiredService<IServer>().GetType().Assembly != typeof(KestrelServerOptions).Assembly) yield break;
        var mqtt = app.Services.GetRequiredService<IOptions<MqttOptions>>().Value;
        if (mqtt.Mode == MqttMode.Embedded && IPAddress.TryParse(mqtt.Host, out var broker))
            yield return (new IPEndPoint(broker, mqtt.Port), "Mqtt__Port");
        foreach (var url in (app.Configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host, out var address))
                yield return (new IPEndPoint(address, uri.Port), "Urls");
        }
    }

    private static bool CanListen(IPEndPoint endpoint)
    {
        var listener = new TcpListener(endpoint);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
