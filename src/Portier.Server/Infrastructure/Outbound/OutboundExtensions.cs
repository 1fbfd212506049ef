using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Portier.Server.Infrastructure.Outbound;

public static class OutboundExtensions
{
    /// <summary>
    /// The outbound HTTP client: every connection through the address guard, no redirects, no
    /// proxy, and a resilience pipeline for one call: each attempt bounded by the call's timeout, and
    /// a connection that fails without an answer tried twice more after a short pause. Answers
    /// (5xx included) and timeouts are not retried here: the callers keep their own schedules
    /// (the webhook retry plan, the access task runner).
    /// </summary>
    public static IServiceCollection AddPortierOutbound(this IServiceCollection services)
    {
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OutboundAddressGuard>();
        services.AddSingleton<OutboundClient>();
        services.AddHttpClient(OutboundClient.HttpClientName, c =>
            {
                c.Timeout = Timeout.InfiniteTimeSpan;
                c.DefaultRequestHeaders.UserAgent.ParseAdd("Portier/1");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<OutboundAddressGuard>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddResilienceHandler("outbound", pipeline =>
            {
                // Real time: a receiver's deadline is on the wire, not on the injected clock.
                pipeline.TimeProvider = TimeProvider.System;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.FromMilliseconds(200),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(IsConnectFailure(args.Outcome.Exception)),
                });
                pipeline.AddTimeout(new TimeoutStrategyOptions
                {
                    TimeoutGenerator = args => ValueTask.FromResult(
                        args.Context.GetRequestMessage()?.Options.TryGetValue(OutboundClient.AttemptTimeout, out var timeout) == true
                            ? timeout : TimeSpan.FromSeconds(30)),
                });
            });
        return services;
    }

    /// <summary>No answer came: the receiver never saw the request, so sending it again is safe. A guarded address is final.</summary>
    private static bool IsConnectFailure(Exception? exception) =>
        exception is HttpRequestException { InnerException: not AddressNotAllowedException } e
        && e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
}
