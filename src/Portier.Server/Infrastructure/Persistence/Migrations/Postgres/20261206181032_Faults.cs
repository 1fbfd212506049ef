using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
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
                type: "bigint",
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "SiteId",
                table: "door_alarms",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AlterColumn<Guid>(
                name: "DoorId",
                table: "door_alarms",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<string>(
                name: "Detail",
                table: "door_alarms",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubjectId",
                table: "door_alarms",
                type: "uuid",
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
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "DoorId",
                table: "door_alarms",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
