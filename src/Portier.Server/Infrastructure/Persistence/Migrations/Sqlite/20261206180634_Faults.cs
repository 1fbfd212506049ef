using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Faults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "FailingSince",
                table: "webhook_endpoints",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "SiteId",
                table: "door_alarms",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<Guid>(
                name: "DoorId",
                table: "door_alarms",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddColumn<string>(
                name: "Detail",
                table: "door_alarms",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubjectId",
                table: "door_alarms",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_door_alarms_SubjectId_ClearedAt",
                table: "door_alarms",
                columns: new[] { "SubjectId", "ClearedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_door_alarms_SubjectId_ClearedAt",
                table: "door_alarms");

            migrationBuilder.DropColumn(
                name: "FailingSince",
                table: "webhook_endpoints");

            migrationBuilder.DropColumn(
                name: "Detail",
                table: "door_alarms");

            migrationBuilder.DropColumn(
                name: "SubjectId",
                table: "door_alarms");

            migrationBuilder.AlterColumn<Guid>(
                name: "SiteId",
                table: "door_alarms",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "DoorId",
                table: "door_alarms",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
