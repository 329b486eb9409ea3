from ninja import NinjaAPI

api = NinjaAPI(title="Kollega API", version="1", urls_namespace="api")
